import assert, { AssertionError } from 'node:assert/strict';
import type { TestClock } from '../../types.ts';
import { USERS } from './commands.ts';

// The session rules the model mirrors (the manager is configured with exactly these).
export const IDLE_MS: number = 10 * 60_000;
export const ABSOLUTE_MS: number = 30 * 60_000;
export const RENEWAL_MS: number = 15 * 60_000;
const REUSE_WINDOW_MS = 10_000;
export const TOUCH_MS: number = IDLE_MS * 0.1; // the default touchFraction
const RETIRED_KEPT = 16; // superseded secrets core still recognises as reuse, besides the previous one
// Shorter than the idle timeout, so no access token outlives its session record.
export const ACCESS_TTL_MS: number = 5 * 60_000;

export const INVALID = 'ERR_SESS_INVALID_CREDENTIAL';
export const EXPIRED = 'ERR_SESS_EXPIRED';
export const REVOKED = 'ERR_SESS_REVOKED';
export const REUSED = 'ERR_SESS_REFRESH_REUSED';
export const NOT_FOUND = 'ERR_SESS_NOT_FOUND';
export const CONFLICT = 'ERR_SESS_CONFLICT';
export const UNAUTHORIZED: readonly string[] = [INVALID, EXPIRED, REVOKED, REUSED];

export interface ModelSession {
  readonly label: string;
  readonly id: string;
  readonly user: number;
  readonly createdAt: number;
  lastActiveAt: number;
  rotatedAt: number | null;
  /** Every secret the session had, oldest first; the last is the current one. */
  readonly secrets: string[];
  /** jwt: every access token issued for the session, oldest first, with `iat`/`exp` in seconds. */
  readonly tokens: { token: string; iat: number; exp: number }[];
  revoked: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

export async function attempt<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    // Anything but a sess error (a TypeError, a raw driver error) is a failure in itself.
    if (typeof code !== 'string' || !code.startsWith('ERR_SESS_')) {
      throw new AssertionError({
        message: `threw something other than a sess error: ${String(error)}`,
      });
    }
    return { ok: false, code };
  }
}

/** What the model predicts for a call: success, or failure with one of `codes`. */
export type Prediction = { ok: true } | { ok: false; codes: readonly string[] };

export function check<T>(outcome: Outcome<T>, predicted: Prediction, what: string): T | undefined {
  if (predicted.ok) {
    assert.ok(
      outcome.ok,
      `${what}: the model expects success, got ${outcome.ok ? 'success' : outcome.code}`,
    );
    return outcome.value;
  }
  assert.ok(
    !outcome.ok && predicted.codes.includes(outcome.code),
    `${what}: the model expects ${predicted.codes.join(' or ')}, got ${outcome.ok ? 'success' : outcome.code}`,
  );
  return undefined;
}

/** Which credential of a session `back` names, as the manager will match it. */
export type Match = 'current' | 'previous' | 'retired' | 'none';

/** The sessions of one run as the model sees them, and its clock. */
export class Model {
  readonly sessions: ModelSession[] = [];
  /** Per user: the time of the last log-out everywhere (0: never). */
  readonly watermarks: number[] = new Array<number>(USERS).fill(0);
  readonly #clock: TestClock | undefined;
  #virtual = Date.now();

  // With an injected clock the store and the manager share it; without one, the manager runs on a
  // virtual clock at or ahead of the store's, so the store never drops what the model keeps.
  constructor(clock: TestClock | undefined) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock ? this.#clock.now() : this.#virtual;
  }

  advance(ms: number): void {
    if (this.#clock) this.#clock.advance(ms);
    else this.#virtual += ms;
  }

  expiresAt(s: ModelSession): number {
    return Math.min(s.lastActiveAt + IDLE_MS, s.createdAt + ABSOLUTE_MS);
  }

  expired(s: ModelSession): boolean {
    return this.now() >= this.expiresAt(s);
  }

  behindWatermark(s: ModelSession): boolean {
    return s.createdAt <= this.watermarks[s.user]!;
  }

  live(s: ModelSession): boolean {
    return !s.revoked && !this.expired(s) && !this.behindWatermark(s);
  }

  credentialOf(s: ModelSession, back: number): string {
    return `${s.id}.${s.secrets[s.secrets.length - 1 - Math.min(back, s.secrets.length - 1)]}`;
  }

  current(s: ModelSession): string {
    return this.credentialOf(s, 0);
  }

  picked(pick: number): ModelSession | undefined {
    return this.sessions[pick % this.sessions.length];
  }

  rotate(s: ModelSession, credential: string): void {
    const secret = credential.slice(s.id.length + 1);
    assert.ok(credential.startsWith(`${s.id}.`), `${s.label}: a new credential keeps the id`);
    assert.ok(!s.secrets.includes(secret), `${s.label}: a rotation yields a secret never seen`);
    s.secrets.push(secret);
    s.rotatedAt = this.now();
    s.lastActiveAt = this.now();
  }

  /** The checks common to validate and refresh, in the manager's order, for a dead session. */
  deadPrediction(s: ModelSession, watermarkFirst: boolean): Prediction | null {
    if (s.revoked) return { ok: false, codes: [INVALID] };
    // A store may already hide an expired record (unknown) or return it (expired).
    if (this.expired(s)) return { ok: false, codes: [EXPIRED, INVALID] };
    if (watermarkFirst && this.behindWatermark(s)) return { ok: false, codes: [REVOKED] };
    return null;
  }

  classify(s: ModelSession, back: number): Match {
    const d = Math.min(back, s.secrets.length - 1);
    if (d === 0) return 'current';
    if (d === 1) return 'previous';
    return d <= RETIRED_KEPT + 1 ? 'retired' : 'none';
  }

  inWindow(s: ModelSession): boolean {
    return s.rotatedAt !== null && this.now() - s.rotatedAt <= REUSE_WINDOW_MS;
  }
}
