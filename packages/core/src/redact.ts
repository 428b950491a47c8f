const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const REDACTED = '[redacted]';
const SECRET_FIELDS: ReadonlySet<string> = new Set(['credential', 'accessToken']);

/**
 * Base of the result objects that carry a credential: `JSON.stringify` and Node's `util.inspect`
 * show `credential`, `accessToken` and cookie values as `[redacted]`. The fields stay readable in
 * code; only their printed forms change, so a result logged by mistake never leaks a secret. The
 * methods live on the prototype: nothing is allocated per result.
 */
export class Redacting {
  /** The printable form, with secrets redacted. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (value === undefined) continue;
      if (SECRET_FIELDS.has(key)) out[key] = value === null ? null : REDACTED;
      else if (key === 'cookies' && Array.isArray(value))
        out[key] = value.map((cookie: { name: string }) => ({
          name: cookie.name,
          value: REDACTED,
        }));
      else out[key] = value;
    }
    return out;
  }
}
// Node's util.inspect hook, on the prototype (a computed method name cannot be declared portably).
Object.defineProperty(Redacting.prototype, INSPECT, {
  value(this: Redacting) {
    return this.toJSON();
  },
});

/** Gives an object holding secrets a fixed printed form for `JSON.stringify` and `util.inspect`. */
export function opaque<T extends object>(target: T, printed: Record<string, unknown>): T {
  const view = (): Record<string, unknown> => printed;
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(target, INSPECT, { value: view, enumerable: false });
  return target;
}
