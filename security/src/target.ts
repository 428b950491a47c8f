import type { Logger } from '@sess/core';
import { FRAMEWORKS, STRATEGIES } from '@sess/example-demo/config';
import type { RunningDemo } from '@sess/example-demo/demo';
import { DemoClient, startTestDemo } from '@sess/example-demo/testing';

export { FRAMEWORKS, STRATEGIES };
export type Framework = (typeof FRAMEWORKS)[number];
export type Strategy = (typeof STRATEGIES)[number];

/** Every binding × strategy, as `[framework, strategy]` rows for `describe.each`. */
export const MATRIX: ReadonlyArray<readonly [Framework, Strategy]> = FRAMEWORKS.flatMap((f) =>
  STRATEGIES.map((s) => [f, s] as const),
);

/** The demo under attack, with every log line sess wrote at debug level. */
export interface Target extends RunningDemo {
  /** JSON log lines, in order. */
  readonly logs: string[];
}

/** Starts the demo with debug logging captured; `env` adds demo variables (SESS_STORE, …). */
export async function startTarget(
  framework: Framework,
  strategy: Strategy,
  env: Record<string, string> = {},
): Promise<Target> {
  const logs: string[] = [];
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    logs.push(JSON.stringify({ level, message, ...fields }));
  };
  const logger: Logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  const demo = await startTestDemo(
    { SESS_FRAMEWORK: framework, SESS_STRATEGY: strategy, SESS_STORE: 'sqlite', ...env },
    { logger },
  );
  return Object.assign(demo, { logs });
}

/** A logged-in victim: a browser-like client with its session. */
export async function victim(target: Target, email?: string): Promise<DemoClient> {
  const client = new DemoClient(target.url, 'victim-browser/1');
  const reply = await client.login(email);
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status}`);
  return client;
}

/**
 * The state oracle: after an attack, the victim's own next request still works with the same
 * session. Returns the session id so a caller can compare it with the one before.
 */
export async function sessionIdOf(client: DemoClient): Promise<string> {
  const reply = await client.request('GET', '/me');
  if (reply.status !== 200) throw new Error(`oracle: /me answered ${reply.status}`);
  return reply.body.session.id as string;
}

export { DemoClient };
