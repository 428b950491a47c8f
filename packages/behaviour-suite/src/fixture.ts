import {
  createSessionManager,
  type MetricsSnapshot,
  type RevokeReason,
  type SessEventMap,
  type SessEventName,
  type Session,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
  type Strategy,
  silentLogger,
} from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { AppOptions } from './apps/shared.ts';

/** The only origin the test apps trust. */
export const ORIGIN = 'https://app.example';
const SECRET = 'behaviour-suite-secret-7c1e9a4f2b8d6e3c5a1f9b7d';
const HS_KEY = 'behaviour-suite-hs256-key-3e8a1c6f9b2d5e7a4c';
const T0 = Date.parse('2026-03-01T09:00:00Z');

/** A clock that moves only when told. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * What a behaviour case may ask of the fixture behind an app besides HTTP. Every call is async,
 * so that a fixture in another process (the app under `Bun.serve`) answers it as a local one does.
 */
export interface FixtureControl {
  /** Moves the fixture's clock forward by `ms`. */
  advance(ms: number): Promise<void>;
  /** Breaks the store (every call rejects, as if the backend were down) or mends it. */
  setBroken(broken: boolean): Promise<void>;
  /** The manager's `metrics()`. */
  metrics(): Promise<MetricsSnapshot>;
  /** The payload of every `name` event the manager emitted since the fixture was built, in order. */
  events<E extends SessEventName>(name: E): Promise<SessEventMap[E][]>;
  /** The manager's `list(userId)`. */
  list(userId: string): Promise<Session[]>;
  /** The manager's `revoke(sessionId, reason)`. */
  revoke(sessionId: string, reason: RevokeReason): Promise<boolean>;
}

/** A manager over a memory store that the test can break, with a frozen clock. */
export interface Fixture {
  readonly sess: SessionManager;
  readonly clock: TestClock;
  /** While true, every store call rejects (the backend is down). */
  broken: boolean;
  /** The same fixture behind the interface a behaviour case uses. */
  readonly control: FixtureControl;
}

/** Builds a {@link Fixture} for `strategy`; `overrides` go to `createSessionManager`. */
export function fixture(
  strategy: Strategy,
  overrides: Partial<SessionManagerOptions> = {},
): Fixture {
  let now = T0;
  const clock: TestClock = {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
  const inner = memoryStore({ clock });
  const state = { broken: false };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'subscribe') return value;
      return (...args: unknown[]) =>
        state.broken ? Promise.reject(new Error('backend down')) : value.apply(target, args);
    },
  }) as SessionStore;
  const sess = createSessionManager({
    store,
    strategy,
    secret: SECRET,
    clock,
    // Tests that break the store on purpose would fill the output with the default logger's lines.
    logger: silentLogger,
    csrf: { trustedOrigins: [ORIGIN] },
    ...(strategy === 'database'
      ? {}
      : {
          jwt: {
            keys: [{ kid: 'k1', alg: 'HS256', secret: HS_KEY }],
            issuer: 'https://auth.example',
            audience: 'https://api.example',
          },
        }),
    ...overrides,
  });
  const control = controlOf(sess, clock, state);
  return Object.defineProperty({ sess, clock, control } as Fixture, 'broken', {
    get: () => state.broken,
    set: (value: boolean) => {
      state.broken = value;
    },
    enumerable: true,
  });
}

function controlOf(
  sess: SessionManager,
  clock: TestClock,
  state: { broken: boolean },
): FixtureControl {
  // Every event is recorded from the start: a case reads what it needs afterwards. The metrics'
  // event counts name every event there is.
  const seen = new Map<SessEventName, unknown[]>();
  for (const name of Object.keys(sess.metrics().events) as SessEventName[]) {
    const list: unknown[] = [];
    seen.set(name, list);
    sess.on(name, (payload) => list.push(payload));
  }
  return {
    advance: async (ms) => clock.advance(ms),
    setBroken: async (broken) => {
      state.broken = broken;
    },
    metrics: async () => sess.metrics(),
    events: async <E extends SessEventName>(name: E) =>
      [...(seen.get(name) ?? [])] as SessEventMap[E][],
    list: (userId) => sess.list(userId),
    revoke: (sessionId, reason) => sess.revoke(sessionId, reason),
  };
}

/** Everything a behaviour case asks of its app and the fixture behind it. */
export interface TargetSetup {
  readonly strategy: Strategy;
  /** Passed to `createSessionManager`; plain JSON, so that it can cross to another process. */
  readonly options?: Partial<SessionManagerOptions>;
  /**
   * Logins allowed per minute and client.
   * @default 1000
   */
  readonly loginPoints?: number;
  /** @default 'routes' */
  readonly mount?: 'routes' | 'handlers';
}

/** The fixture and the app options for `setup`: what every target builds, wherever it runs. */
export function prepare(setup: TargetSetup): { fx: Fixture; options: AppOptions } {
  const fx = fixture(setup.strategy, setup.options);
  const loginLimiter = new RateLimiterMemory({ points: setup.loginPoints ?? 1000, duration: 60 });
  return { fx, options: { loginLimiter, mount: setup.mount ?? 'routes' } };
}
