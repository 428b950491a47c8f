import type { Clock, SessionStore } from '@sess/core';

/** A clock the kit can move forward; give one to stores that accept an injected {@link Clock}. */
export interface TestClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/**
 * Reads the backend directly, bypassing the store's own code, so a bug shared by the store's read
 * and write paths cannot hide (for example a secret stored in clear and read back as-is).
 */
export interface RawProbe {
  /** Everything the backend holds for this store (rows, keys, values), as one string. */
  dump(): Promise<string>;
  /**
   * Every key (or row) this store holds that the backend will never expire by itself; empty when all
   * of them carry an expiry. Needed by `ttl-on-every-key`; stores that reap with `deleteExpired`
   * instead of native TTLs leave it out.
   */
  unexpiringKeys?(): Promise<string[]>;
  /**
   * When the backend itself will drop the record with this id (epoch ms: a key's TTL, a row's
   * `expires_at`; `retainUntil` when the record has a later one), or `null` when it holds none.
   * Needed by `touch-keeps-expiry`; `get-expired` uses it when present.
   */
  backendExpiry?(id: string): Promise<number | null>;
}

/** One fresh store, plus what the kit may use to look inside it or break it. */
export interface StoreUnderTest {
  /** The store, isolated from every other case (fresh database, schema, or random key prefix). */
  store: SessionStore;
  /** The clock the store was given; without one the kit uses `Date.now` and writes past expiries. */
  clock?: TestClock;
  /** Raw access to the backend; needed by `secret-hashed`. */
  probe?: RawProbe;
  /** Breaks the backend connection so that every operation must reject; needed by the `fail-*` cases. */
  fail?: () => Promise<void>;
  /** Releases the backend after the case; when absent the kit calls `store.close()`. */
  cleanup?: () => Promise<void>;
}

/** Creates a fresh {@link StoreUnderTest}; called once per case. */
export type StoreFactory = () => Promise<StoreUnderTest>;

/** What a case receives. */
export interface CaseContext {
  /** The store under test. */
  readonly store: SessionStore;
  /** The store's current time: its injected clock, or `Date.now`. */
  now(): number;
  /** Present when the store accepts an injected clock. */
  readonly clock: TestClock | undefined;
  /** Present when the factory gives raw access to the backend. */
  readonly probe: RawProbe | undefined;
  /** Present when the factory can break the backend. */
  readonly fail: (() => Promise<void>) | undefined;
  /** Ends the case as skipped (for an optional capability the store does not have). */
  skip(reason: string): never;
}

/** One conformance case, as data: run it with any test runner. */
export interface ConformanceCase {
  /** Stable id, used to skip it: `'update-cas-concurrent'`. */
  readonly id: string;
  /** What it proves, in one line. */
  readonly title: string;
  /** Throws (an `AssertionError`) when the store breaks the contract. */
  run(ctx: CaseContext): Promise<void>;
}

/** Options of {@link runConformance} and `describeStoreConformance`. */
export interface ConformanceOptions {
  /**
   * Cases not to run, by id, each with the reason why (shown in the report). An empty reason or an
   * unknown id is an error.
   * @default {}
   */
  skip?: Readonly<Record<string, string>>;
}
