import {
  type Attributes,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import type { SessionManager } from '@sess/core';
import { AttributeCache, errorType } from './bounded.ts';
import { ATTR } from './names.ts';

type Method = (...args: unknown[]) => Promise<unknown>;

/** The span name of each lifecycle operation. */
const LIFECYCLE: Record<string, string> = {
  create: 'sess.create',
  refresh: 'sess.refresh',
  regenerate: 'sess.regenerate',
  revoke: 'sess.revoke',
  revokeAllForUser: 'sess.revoke_all_for_user',
  revokeEverything: 'sess.revoke_everything',
};

/** Wraps the manager's lifecycle methods (and `validate` when asked) in spans; returns the undo. */
export function wrapLifecycle(
  sess: SessionManager,
  tracer: Tracer,
  which: { lifecycle: boolean; validate: boolean },
): () => void {
  const fixed = { [ATTR.strategy]: sess.strategy };
  const classes = new AttributeCache([ATTR.sessionClass], {
    ...fixed,
    [ATTR.operation]: 'create',
  });
  const reasons = new AttributeCache([ATTR.revokeReason], { ...fixed, [ATTR.operation]: 'revoke' });
  // Only bounded values are read from arguments (a session class, a revoke reason, a count):
  // never an id, a credential or a token.
  const argAttributes: Record<string, (args: unknown[]) => Attributes> = {
    create: (args) =>
      classes.get((args[1] as { sessionClass?: unknown } | undefined)?.sessionClass ?? 'standard'),
    revoke: (args) => reasons.get(args[1] ?? 'logout'),
    revokeAllForUser: (args) => ({
      ...fixed,
      [ATTR.operation]: 'revokeAllForUser',
      [ATTR.exceptCount]:
        (args[1] as { except?: readonly string[] } | undefined)?.except?.length ?? 0,
    }),
  };
  const names = which.lifecycle ? Object.keys(LIFECYCLE) : [];
  if (which.validate) names.push('validate');
  const target = sess as unknown as Record<string, Method>;
  const installed: [string, Method][] = [];
  for (const name of names) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    const spanName = LIFECYCLE[name] ?? `sess.${name}`;
    const constant: Attributes = Object.freeze({ ...fixed, [ATTR.operation]: name });
    const attributes = argAttributes[name] ?? (() => constant);
    const wrapper = traced(sess, original, spanName, attributes, tracer);
    Object.defineProperty(sess, name, {
      value: wrapper,
      configurable: true,
      writable: true,
      enumerable: false,
    });
    installed.push([name, wrapper]);
  }
  return () => {
    for (const [name, wrapper] of installed) {
      if (Object.getOwnPropertyDescriptor(sess, name)?.value === wrapper) {
        delete (sess as unknown as Record<string, unknown>)[name];
      }
    }
  };
}

function traced(
  sess: SessionManager,
  original: Method,
  name: string,
  attributes: (args: unknown[]) => Attributes,
  tracer: Tracer,
): Method {
  return function tracedSessOperation(...args: unknown[]): Promise<unknown> {
    return tracer.startActiveSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes: attributes(args) },
      async (span: Span) => {
        try {
          const result = await original.apply(sess, args);
          span.end();
          return result;
        } catch (error) {
          // The code only: an exception's message and stack stay out of traces.
          span.setAttribute(ATTR.errorType, errorType(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          throw error;
        }
      },
    );
  };
}
