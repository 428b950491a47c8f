import assert, { AssertionError } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createSessionManager,
  type Issued,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
  silentLogger,
  type Validated,
} from '@sess/core';
import { randomId, sha256 } from '../fixtures.ts';
import type { CaseContext, ConformanceCase } from '../types.ts';

// The session rules the model mirrors (the manager is configured with exactly these).
const IDLE_MS = 10 * 60_000;
const ABSOLUTE_MS = 30 * 60_000;
const RENEWAL_MS = 15 * 60_000;
const REUSE_WINDOW_MS = 10_000;
const TOUCH_MS = IDLE_MS * 0.1; // the default touchFraction
const RETIRED_KEPT = 16; // superseded secrets core still recognises as reuse, besides the previous one

const USERS = 3;
const DEFAULT_RUNS = 50;
const MIN_RUNS = 10;
const MAX_COMMANDS = 30;
const SHRINK_BUDGET = 80;
// Work bounds, not assertions: a slow backend runs fewer (at least MIN_RUNS) runs and shrinks less,
// so the case ends well inside a default 5 s test timeout with its report instead of timing out.
const RUN_BUDGET_MS = 2_000;
const SHRINK_BUDGET_MS = 1_000;
// Clock steps chosen to land on both sides of every threshold above.
const STEPS_MS = [1, 5_000, 10_001, 61_000, 9.5 * 60_000, 11 * 60_000, 16 * 60_000];
// Whole seconds for the jwt strategy: an access token's lifetime is capped by the absolute
// deadline, and a refresh less than a second before it would rotate and then refuse to sign.
const JWT_STEPS_MS = [1_000, 5_000, 11_000, 61_000, 9.5 * 60_000, 11 * 60_000, 16 * 60_000];
// Shorter than the idle timeout, so no access token outlives its session record.
const ACCESS_TTL_MS = 5 * 60_000;

/**
 * `database`: the credential authenticates requests (validate touches and renews it).
 * `jwt`: access tokens authenticate requests and the credential is the refresh token; tokens are
 * validated on the issuing instance and on a second one that asks the store every time.
 */
type Strategy = 'database' | 'jwt';

const INVALID = 'ERR_SESS_INVALID_CREDENTIAL';
const EXPIRED = 'ERR_SESS_EXPIRED';
const REVOKED = 'ERR_SESS_REVOKED';
const REUSED = 'ERR_SESS_REFRESH_REUSED';
const NOT_FOUND = 'ERR_SESS_NOT_FOUND';
const CONFLICT = 'ERR_SESS_CONFLICT';
const UNAUTHORIZED = [INVALID, EXPIRED, REVOKED, REUSED];

/**
 * One step of a run. Sessions are picked by `pick` modulo the sessions created so far, and `back`
 * counts credentials back from the current one (0 = current, 1 = the one it replaced, ...), so a
 * command list stays meaningful when shrinking removes some of its commands.
 */
type Command =
  | { kind: 'create'; user: number }
  | {
      kind: 'validate';
      pick: number;
      back: number;
      mutate: boolean;
      /** jwt: validate the access token on the issuing instance, or on the other one. */
      instance: 'same' | 'other';
    }
  | { kind: 'refresh'; pick: number; back: number; mutate: boolean }
  | { kind: 'parallel-refresh'; pick: number; racers: number }
  | { kind: 'revoke'; pick: number }
  | {
      kind: 'write-race';
      pick: number;
      writer: 'validate' | 'refresh';
      other: 'revoke' | 'refresh' | 'logout-all';
    }
  | { kind: 'logout-all'; user: number; except: number | null }
  | { kind: 'update'; pick: number; stale: boolean }
  | { kind: 'advance'; ms: number };

interface ModelSession {
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

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

async function attempt<T>(promise: Promise<T>): Promise<Outcome<T>> {
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
type Prediction = { ok: true } | { ok: false; codes: readonly string[] };

function check<T>(outcome: Outcome<T>, predicted: Prediction, what: string): T | undefined {
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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number, strategy: Strategy): Command[] {
  const rand = mulberry32(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  // Mostly the current or the previous credential, sometimes one far back (retired or forgotten).
  const back = (): number => [0, 0, 0, 1, 1, 2, 3, 18][int(8)]!;
  const pick = (): number => int(1 << 30);
  const steps = strategy === 'database' ? STEPS_MS : JWT_STEPS_MS;
  const weighted: [number, () => Command][] = [
    [4, () => ({ kind: 'create', user: int(USERS) })],
    [
      6,
      () => ({
        kind: 'validate',
        pick: pick(),
        back: back(),
        mutate: int(8) === 0,
        instance: int(3) ? 'other' : 'same',
      }),
    ],
    [6, () => ({ kind: 'refresh', pick: pick(), back: back(), mutate: int(8) === 0 })],
    [2, () => ({ kind: 'parallel-refresh', pick: pick(), racers: 2 + int(2) })],
    [2, () => ({ kind: 'revoke', pick: pick() })],
    [
      3,
      () => ({
        kind: 'write-race',
        pick: pick(),
        // jwt validation never writes: only a refresh can be held before its write.
        writer: strategy === 'database' && int(2) ? 'validate' : 'refresh',
        other: (['revoke', 'refresh', 'logout-all'] as const)[int(3)]!,
      }),
    ],
    [1, () => ({ kind: 'logout-all', user: int(USERS), except: int(2) ? pick() : null })],
    [1, () => ({ kind: 'update', pick: pick(), stale: int(2) === 0 })],
    [5, () => ({ kind: 'advance', ms: steps[int(steps.length)]! })],
  ];
  const total = weighted.reduce((sum, [w]) => sum + w, 0);
  const length = 1 + int(MAX_COMMANDS);
  const commands: Command[] = [{ kind: 'create', user: int(USERS) }];
  while (commands.length < length) {
    let r = int(total);
    for (const [w, make] of weighted) {
      if (r < w) {
        commands.push(make());
        break;
      }
      r -= w;
    }
  }
  return commands;
}

/**
 * A store wrapper whose `update` can be held for one session id: the manager has read the record
 * and decided to write; the kit then revokes, rotates or logs out, and lets the write through.
 */
function gatedStore(inner: SessionStore) {
  let gate: { id: string; reached: () => void; release: Promise<void> } | null = null;
  let lastGatedResult: boolean | null = null;
  const store: SessionStore = {
    name: inner.name,
    create: (record) => inner.create(record),
    get: (id) => inner.get(id),
    async update(record, expectedVersion) {
      const held = gate;
      if (held !== null && held.id === record.id) {
        gate = null;
        held.reached();
        await held.release;
        lastGatedResult = await inner.update(record, expectedVersion);
        return lastGatedResult;
      }
      return inner.update(record, expectedVersion);
    },
    delete: (id) => inner.delete(id),
    listByUser: (userId) => inner.listByUser(userId),
    deleteByUser: (userId, options) => inner.deleteByUser(userId, options),
    deny: (key, expiresAt) => inner.deny(key, expiresAt),
    isDenied: (key) => inner.isDenied(key),
    setNotBefore: (scope, at) => inner.setNotBefore(scope, at),
    getNotBefore: (userId) => inner.getNotBefore(userId),
  };
  if (inner.subscribe) store.subscribe = (listener) => inner.subscribe!(listener);
  return {
    store,
    /** Holds the next update of `id`; resolves `reached` when the manager gets there. */
    hold(id: string): { reached: Promise<void>; release: () => void } {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const releasePromise = new Promise<void>((resolve) => {
        release = resolve;
      });
      lastGatedResult = null;
      gate = { id, reached, release: releasePromise };
      return {
        reached: reachedPromise,
        release: () => {
          gate = null;
          release();
        },
      };
    },
    lastGatedResult: () => lastGatedResult,
  };
}

/** Runs one command list against a fresh manager and fresh users; throws on the first divergence. */
async function runCommands(
  ctx: CaseContext,
  commands: readonly Command[],
  strategy: Strategy,
): Promise<void> {
  // With an injected clock the store and the manager share it; without one, the manager runs on a
  // virtual clock at or ahead of the store's, so the store never drops what the model keeps.
  let virtual = Date.now();
  const now = ctx.clock ? () => ctx.clock!.now() : () => virtual;
  const advance = (ms: number): void => {
    if (ctx.clock) ctx.clock.advance(ms);
    else virtual += ms;
  };
  const gated = gatedStore(ctx.store);
  const options: Omit<SessionManagerOptions, 'store'> = {
    strategy,
    secret: randomBytes(32).toString('base64url'),
    clock: { now },
    // Reuse is part of the model: the default logger's warning for each one is noise here.
    logger: silentLogger,
    sessions: {
      standard: { idleTimeout: '10m', absoluteTimeout: '30m', renewalInterval: '15m' },
    },
    refresh: { reuseWindow: '10s' },
    ...(strategy === 'jwt' && {
      jwt: {
        keys: [{ kid: 'k1', alg: 'HS256', secret: randomBytes(32).toString('base64url') }],
        issuer: 'https://issuer.sess.test',
        audience: 'https://api.sess.test',
        accessTokenTtl: '5m',
        clockSkew: '0s',
      },
    }),
  };
  const sess: SessionManager = createSessionManager({ ...options, store: gated.store });
  // jwt: a second instance over the same backend that asks the store on every request, so a
  // revocation the store loses cannot hide in the first instance's own cache.
  const other: SessionManager | null =
    strategy === 'jwt'
      ? createSessionManager({ ...options, store: ctx.store, revocation: { staleness: 0 } })
      : null;
  const run = randomId();
  const userIds = Array.from({ length: USERS }, (_, i) => `model-${run}-u${i}`);
  const watermarks = new Array<number>(USERS).fill(0);
  const sessions: ModelSession[] = [];

  const expiresAt = (s: ModelSession): number =>
    Math.min(s.lastActiveAt + IDLE_MS, s.createdAt + ABSOLUTE_MS);
  const expired = (s: ModelSession): boolean => now() >= expiresAt(s);
  const behindWatermark = (s: ModelSession): boolean => s.createdAt <= watermarks[s.user]!;
  const live = (s: ModelSession): boolean => !s.revoked && !expired(s) && !behindWatermark(s);
  const credentialOf = (s: ModelSession, back: number): string =>
    `${s.id}.${s.secrets[s.secrets.length - 1 - Math.min(back, s.secrets.length - 1)]}`;
  const current = (s: ModelSession): string => credentialOf(s, 0);
  const picked = (pick: number): ModelSession | undefined => sessions[pick % sessions.length];
  const rotate = (s: ModelSession, credential: string): void => {
    const secret = credential.slice(s.id.length + 1);
    assert.ok(credential.startsWith(`${s.id}.`), `${s.label}: a new credential keeps the id`);
    assert.ok(!s.secrets.includes(secret), `${s.label}: a rotation yields a secret never seen`);
    s.secrets.push(secret);
    s.rotatedAt = now();
    s.lastActiveAt = now();
  };
  /** Records (jwt) the access token an issue returned, checking its claims against the model. */
  const recordToken = (s: ModelSession, accessToken: string | null, what: string): void => {
    if (strategy !== 'jwt') return;
    assert.ok(accessToken, `${what}: the jwt strategy issues an access token`);
    const claims = JSON.parse(
      Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { sub: unknown; sid: unknown; iat: number; exp: number };
    const iat = Math.floor(now() / 1000);
    const lifetimeMs = Math.min(ACCESS_TTL_MS, s.createdAt + ABSOLUTE_MS - now());
    assert.equal(claims.sid, s.id, `${what}: the token's sid`);
    assert.equal(claims.sub, userIds[s.user], `${what}: the token's sub`);
    assert.equal(claims.iat, iat, `${what}: the token's iat`);
    assert.equal(
      claims.exp,
      iat + Math.floor(lifetimeMs / 1000),
      `${what}: the token's exp (never past the absolute timeout)`,
    );
    s.tokens.push({ token: accessToken, iat: claims.iat, exp: claims.exp });
  };
  // The checks common to validate and refresh, in the manager's order, for a dead session.
  const deadPrediction = (s: ModelSession, watermarkFirst: boolean): Prediction | null => {
    if (s.revoked) return { ok: false, codes: [INVALID] };
    // A store may already hide an expired record (unknown) or return it (expired).
    if (expired(s)) return { ok: false, codes: [EXPIRED, INVALID] };
    if (watermarkFirst && behindWatermark(s)) return { ok: false, codes: [REVOKED] };
    return null;
  };
  const classify = (s: ModelSession, back: number) => {
    const d = Math.min(back, s.secrets.length - 1);
    if (d === 0) return 'current';
    if (d === 1) return 'previous';
    return d <= RETIRED_KEPT + 1 ? 'retired' : 'none';
  };
  const inWindow = (s: ModelSession): boolean =>
    s.rotatedAt !== null && now() - s.rotatedAt <= REUSE_WINDOW_MS;
  const checkSession = (
    s: ModelSession,
    session: { id: string; userId: string; expiresAt: number } | null | undefined,
    what: string,
  ): void => {
    assert.ok(session, `${what}: returns the session`);
    assert.equal(session.id, s.id, `${what}: the session id`);
    assert.equal(session.userId, userIds[s.user], `${what}: the session's user`);
    assert.equal(session.expiresAt, expiresAt(s), `${what}: expiresAt follows the timeouts`);
  };

  /** jwt: an access token is refused once its session is revoked, on every instance. */
  async function validateToken(
    s: ModelSession,
    back: number,
    mutate: boolean,
    instance: 'same' | 'other',
  ): Promise<void> {
    const t = s.tokens[s.tokens.length - 1 - Math.min(back, s.tokens.length - 1)]!;
    const what = `validate(${s.label} access token, back ${back}${mutate ? ', mutated' : ''}, ${instance} instance)`;
    const token = mutate ? mutated(t.token, t.token.lastIndexOf('.') + 1) : t.token;
    const outcome = await attempt((instance === 'same' ? sess : other!).validate(token));
    if (mutate) return void check(outcome, { ok: false, codes: [INVALID] }, what);
    if (now() >= t.exp * 1000) return void check(outcome, { ok: false, codes: [EXPIRED] }, what);
    if (s.revoked || t.iat * 1000 <= watermarks[s.user]!) {
      return void check(outcome, { ok: false, codes: [REVOKED] }, what);
    }
    const result = check(outcome, { ok: true }, what)!;
    assert.equal(result.sessionId, s.id, `${what}: the session id`);
    assert.equal(result.userId, userIds[s.user], `${what}: the user`);
  }

  async function validate(s: ModelSession, back: number, mutate: boolean): Promise<void> {
    const what = `validate(${s.label}, back ${back}${mutate ? ', mutated' : ''})`;
    const credential = mutate
      ? mutated(credentialOf(s, back), s.id.length + 1)
      : credentialOf(s, back);
    const outcome = await attempt(sess.validate(credential));
    const dead = deadPrediction(s, false);
    if (dead) return void check(outcome, dead, what);
    const match = mutate ? 'none' : classify(s, back);
    if (match === 'none') return void check(outcome, { ok: false, codes: [INVALID] }, what);
    if (behindWatermark(s)) return void check(outcome, { ok: false, codes: [REVOKED] }, what);
    if (match === 'retired' || (match === 'previous' && !inWindow(s))) {
      check(outcome, { ok: false, codes: [REUSED] }, what);
      s.revoked = true; // reuse detected: the whole session is revoked
      return;
    }
    const result = check(outcome, { ok: true }, what)!;
    if (match === 'previous') {
      assert.equal(
        result.credential,
        current(s),
        `${what}: a retry in the window gets the successor`,
      );
    } else if (now() - (s.rotatedAt ?? s.createdAt) >= RENEWAL_MS) {
      assert.ok(result.credential, `${what}: renewal is due, a new credential is issued`);
      rotate(s, result.credential);
    } else {
      assert.equal(result.credential, null, `${what}: no renewal before the interval`);
      if (now() - s.lastActiveAt >= TOUCH_MS) s.lastActiveAt = now();
    }
    checkSession(s, result.session, what);
  }

  async function refresh(s: ModelSession, back: number, mutate: boolean): Promise<void> {
    const what = `refresh(${s.label}, back ${back}${mutate ? ', mutated' : ''})`;
    const credential = mutate
      ? mutated(credentialOf(s, back), s.id.length + 1)
      : credentialOf(s, back);
    const outcome = await attempt(sess.refresh(credential));
    const dead = deadPrediction(s, true);
    if (dead) return void check(outcome, dead, what);
    const match = mutate ? 'none' : classify(s, back);
    if (match === 'none') return void check(outcome, { ok: false, codes: [INVALID] }, what);
    if (match === 'retired' || (match === 'previous' && !inWindow(s))) {
      check(outcome, { ok: false, codes: [REUSED] }, what);
      s.revoked = true;
      return;
    }
    const issued = check(outcome, { ok: true }, what)!;
    if (match === 'previous') {
      assert.equal(
        issued.credential,
        current(s),
        `${what}: a retry in the window gets the successor`,
      );
    } else {
      rotate(s, issued.credential);
    }
    recordToken(s, issued.accessToken, what);
    checkSession(s, issued.session, what);
  }

  async function parallelRefresh(s: ModelSession, racers: number): Promise<void> {
    const what = `${racers} parallel refresh(${s.label})`;
    const credential = current(s);
    const outcomes = await Promise.all(
      Array.from({ length: racers }, () => attempt(sess.refresh(credential))),
    );
    const dead = deadPrediction(s, true);
    if (dead) {
      for (const outcome of outcomes) check(outcome, dead, what);
      return;
    }
    const issued = outcomes.map((outcome) => check(outcome, { ok: true }, what)!);
    const heads = new Set(issued.map((i) => i.credential));
    assert.equal(heads.size, 1, `${what}: every racer gets the same successor (one live head)`);
    rotate(s, issued[0]!.credential);
    for (const i of issued) recordToken(s, i.accessToken, what);
  }

  async function revoke(s: ModelSession, what: string): Promise<void> {
    const deleted = await attempt(sess.revoke(s.id));
    assert.ok(deleted.ok, `${what}: revoke succeeds`);
    if (s.revoked) assert.equal(deleted.value, false, `${what}: a revoked session is gone already`);
    else if (!expired(s))
      assert.equal(deleted.value, true, `${what}: a present session is deleted`);
    s.revoked = true;
  }

  /**
   * A slow request: `writer` has read the record and is about to write it (a touch or a rotation)
   * when `other` revokes, rotates or logs the user out. The held write must then lose its
   * compare-and-set: nothing is written back after a revoke, and no stale write undoes a rotation.
   */
  async function writeRace(
    s: ModelSession,
    writer: 'validate' | 'refresh',
    other: 'revoke' | 'refresh' | 'logout-all',
  ): Promise<void> {
    const what = `${writer}(${s.label}) held before its write while ${other} runs`;
    if (writer === 'validate') advance(TOUCH_MS); // a touch is due: a live session's validation writes
    const dead = deadPrediction(s, true);
    const credential = current(s);
    const gate = gated.hold(s.id);
    const pending = attempt<Issued | Validated>(
      writer === 'validate' ? sess.validate(credential) : sess.refresh(credential),
    );
    const reached = await Promise.race([gate.reached.then(() => true), pending.then(() => false)]);
    if (!reached) {
      gate.release();
      const outcome = await pending;
      assert.ok(
        dead,
        `${what}: a live session's ${writer} writes (touch or rotation), but it did not`,
      );
      check(outcome, dead, what);
      return;
    }
    assert.equal(dead, null, `${what}: a dead session is refused before anything is written`);
    let successor: string | null = null;
    if (other === 'revoke') await revoke(s, what);
    else if (other === 'logout-all') await logoutAll(s.user, null);
    else {
      const issued = check(await attempt(sess.refresh(credential)), { ok: true }, what)!;
      successor = issued.credential;
      rotate(s, successor);
      recordToken(s, issued.accessToken, what);
    }
    gate.release();
    const outcome = await pending;
    assert.equal(
      gated.lastGatedResult(),
      false,
      `${what}: the held compare-and-set must fail (nothing written back after revoke, no rotation undone)`,
    );
    if (successor === null) {
      if (!outcome.ok) assert.ok(UNAUTHORIZED.includes(outcome.code), `${what}: ${outcome.code}`);
      return;
    }
    // The session lives on: the slow request still succeeds, and never forks the family.
    const value = check(outcome, { ok: true }, what)!;
    if (strategy === 'jwt') recordToken(s, (value as Issued).accessToken, what);
    const issuedCredential: string | null = value.credential;
    if (writer === 'refresh' || issuedCredential !== null) {
      assert.equal(
        issuedCredential,
        successor,
        `${what}: the slow request gets the same successor`,
      );
    }
  }

  async function logoutAll(user: number, except: number | null): Promise<void> {
    const mine = sessions.filter((s) => s.user === user);
    const kept = except !== null && mine.length > 0 ? mine[except % mine.length]! : null;
    const what = `logout-all(u${user}${kept ? `, except ${kept.label}` : ''})`;
    const outcome = await attempt(
      sess.revokeAllForUser(userIds[user]!, kept ? { except: [kept.id] } : {}),
    );
    assert.ok(outcome.ok, `${what}: succeeds`);
    const others = mine.filter((s) => s !== kept && !s.revoked);
    const present = others.filter((s) => !expired(s)).length;
    assert.ok(
      outcome.value >= present && outcome.value <= others.length,
      `${what}: deleted ${outcome.value}, the model has ${present} present (${others.length} with expired ones)`,
    );
    for (const s of others) s.revoked = true;
    if (!kept) watermarks[user] = now();
  }

  async function update(s: ModelSession, stale: boolean, step: number): Promise<void> {
    const what = `update(${s.label}${stale ? ', stale version' : ''})`;
    const record = await ctx.store.get(s.id);
    const version = stale || !record ? 1 : record.version;
    const outcome = await attempt(sess.update({ id: s.id, version }, { step }));
    if (!record) return void check(outcome, { ok: false, codes: [NOT_FOUND] }, what);
    if (record.version !== version)
      return void check(outcome, { ok: false, codes: [CONFLICT] }, what);
    check(outcome, { ok: true }, what);
  }

  /** The invariants, checked against the store and the manager after every step. */
  async function invariants(): Promise<void> {
    for (const s of sessions) {
      const record = await ctx.store.get(s.id);
      if (s.revoked) {
        assert.equal(record, null, `${s.label} was revoked: the store must not return it`);
      } else if (expired(s)) {
        if (ctx.clock)
          assert.equal(record, null, `${s.label} has expired: the store must not return it`);
      } else {
        assert.ok(record, `${s.label} is neither revoked nor expired: the store must hold it`);
        assert.equal(
          record.secretHash,
          sha256(s.secrets.at(-1)!),
          `${s.label}: the stored head is the last secret issued (one live head)`,
        );
        if (s.secrets.length > 1) {
          assert.equal(record.prevSecretHash, sha256(s.secrets.at(-2)!), `${s.label}: previous`);
        }
        assert.equal(record.lastActiveAt, s.lastActiveAt, `${s.label}: lastActiveAt`);
        assert.equal(record.expiresAt, expiresAt(s), `${s.label}: expiresAt`);
        assert.ok(
          record.expiresAt <= record.createdAt + ABSOLUTE_MS,
          `${s.label}: never past the absolute timeout`,
        );
      }
    }
    for (let user = 0; user < USERS; user++) {
      const listed = (await sess.list(userIds[user]!)).map((x) => x.id).sort();
      const expected = sessions
        .filter((s) => s.user === user && live(s))
        .map((s) => s.id)
        .sort();
      assert.deepEqual(listed, expected, `u${user}: the live sessions listed`);
    }
  }

  try {
    for (const [step, command] of commands.entries()) {
      try {
        const s =
          command.kind === 'create' || command.kind === 'advance' || command.kind === 'logout-all'
            ? undefined
            : picked(command.pick);
        switch (command.kind) {
          case 'create': {
            const issued = await attempt(sess.create(userIds[command.user]!));
            assert.ok(issued.ok, 'create succeeds');
            const { credential, session } = issued.value;
            const created: ModelSession = {
              label: `s${sessions.length}`,
              id: session.id,
              user: command.user,
              createdAt: now(),
              lastActiveAt: now(),
              rotatedAt: null,
              secrets: [credential.slice(session.id.length + 1)],
              tokens: [],
              revoked: false,
            };
            assert.ok(credential.startsWith(`${session.id}.`), 'the credential is <id>.<secret>');
            checkSession(created, session, 'create');
            recordToken(created, issued.value.accessToken, 'create');
            sessions.push(created);
            break;
          }
          case 'advance':
            advance(command.ms);
            break;
          case 'logout-all':
            await logoutAll(command.user, command.except);
            break;
          default:
            if (!s) break; // nothing created yet
            if (command.kind === 'validate') {
              if (strategy === 'jwt') {
                await validateToken(s, command.back, command.mutate, command.instance);
              } else {
                await validate(s, command.back, command.mutate);
              }
            } else if (command.kind === 'refresh') await refresh(s, command.back, command.mutate);
            else if (command.kind === 'parallel-refresh') await parallelRefresh(s, command.racers);
            else if (command.kind === 'revoke') await revoke(s, `revoke(${s.label})`);
            else if (command.kind === 'write-race')
              await writeRace(s, command.writer, command.other);
            else await update(s, command.stale, step);
        }
        await invariants();
      } catch (error) {
        throw new AssertionError({
          message: `step ${step} ${JSON.stringify(command)}: ${(error as Error).message}`,
        });
      }
    }
    // Revoked sessions never validate again: every credential any dead session ever had is refused.
    for (const s of sessions) {
      if (live(s)) continue;
      for (const secret of s.secrets.slice(-4)) {
        const credential = `${s.id}.${secret}`;
        const calls = [() => sess.validate(credential), () => sess.refresh(credential)];
        for (const call of calls) {
          const outcome = await attempt<Issued | Validated>(call());
          assert.ok(
            !outcome.ok && UNAUTHORIZED.includes(outcome.code),
            `after the run, ${s.label} (dead) must refuse each of its credentials, got ${outcome.ok ? 'success' : outcome.code}`,
          );
        }
      }
      // jwt: and each of its access tokens, on both instances.
      for (const { token } of s.tokens) {
        for (const instance of [sess, other!]) {
          const outcome = await attempt(instance.validate(token));
          assert.ok(
            !outcome.ok && (outcome.code === REVOKED || outcome.code === EXPIRED),
            `after the run, ${s.label} (dead) must refuse each of its access tokens, got ${outcome.ok ? 'success' : outcome.code}`,
          );
        }
      }
    }
  } finally {
    sess.close();
    other?.close();
  }
}

/** Changes one character of the secret (never the last one, whose spare bits could hide it). */
function mutated(credential: string, secretStart: number): string {
  const at = secretStart + ((credential.charCodeAt(secretStart + 1) * 31) % 40);
  const char = credential[at] === 'A' ? 'B' : 'A';
  return `${credential.slice(0, at)}${char}${credential.slice(at + 1)}`;
}

async function failureOf(
  ctx: CaseContext,
  commands: readonly Command[],
  strategy: Strategy,
): Promise<Error | null> {
  try {
    await runCommands(ctx, commands, strategy);
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** Removes commands while the run still fails (chunks, then single commands), within a budget. */
async function shrink(
  ctx: CaseContext,
  commands: readonly Command[],
  failure: Error,
  strategy: Strategy,
): Promise<{ commands: readonly Command[]; failure: Error }> {
  let best = commands;
  let bestFailure = failure;
  let budget = SHRINK_BUDGET;
  const deadline = performance.now() + SHRINK_BUDGET_MS;
  for (
    let size = Math.max(1, Math.floor(best.length / 2));
    size >= 1;
    size = Math.floor(size / 2)
  ) {
    for (let i = 0; i < best.length && budget > 0 && performance.now() < deadline; ) {
      budget--;
      const candidate = [...best.slice(0, i), ...best.slice(i + size)];
      const found = await failureOf(ctx, candidate, strategy);
      if (found) {
        best = candidate;
        bestFailure = found;
      } else {
        i += size;
      }
    }
    if (size === 1 || budget === 0 || performance.now() >= deadline) break;
  }
  return { commands: best, failure: bestFailure };
}

function envNumber(name: string): number | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** Runs random command lists until one fails (then shrinks and reports it) or the budget ends. */
async function explore(ctx: CaseContext, id: string, strategy: Strategy): Promise<void> {
  // SESS_KIT_MODEL_SEED (and SESS_KIT_MODEL_RUNS=1) replay a reported failure.
  const seed = envNumber('SESS_KIT_MODEL_SEED') ?? randomBytes(4).readUInt32LE(0);
  const fixedRuns = envNumber('SESS_KIT_MODEL_RUNS');
  const runs = fixedRuns ?? DEFAULT_RUNS;
  const deadline = performance.now() + RUN_BUDGET_MS;
  for (let run = 0; run < runs; run++) {
    if (fixedRuns === undefined && run >= MIN_RUNS && performance.now() > deadline) break;
    const runSeed = (seed + run) >>> 0;
    const commands = generate(runSeed, strategy);
    const failure = await failureOf(ctx, commands, strategy);
    if (!failure) continue;
    const shrunk = await shrink(ctx, commands, failure, strategy);
    throw new AssertionError({
      message: [
        `${id} failed on run ${run} (replay: SESS_KIT_MODEL_SEED=${runSeed} SESS_KIT_MODEL_RUNS=1)`,
        shrunk.failure.message,
        `commands (${shrunk.commands.length} of ${commands.length} after shrinking):`,
        ...shrunk.commands.map((c, i) => `  ${i}: ${JSON.stringify(c)}`),
      ].join('\n'),
    });
  }
}

/**
 * Model-based cases: a real `SessionManager` (idle 10m, absolute 30m, renewal 15m, reuse window
 * 10s) over the store under test, driven by random command lists (create; validate and refresh
 * with the current, previous, retired or a mutated credential or token; parallel refreshes;
 * revoke; log out everywhere with or without an exception; data updates with fresh or stale
 * versions; clock steps; and a write held between the manager's read and its compare-and-set
 * while a revoke, refresh or logout-all runs). Every call's outcome must match a small model, and
 * after every step: a revoked session is gone from the store (no revocation lost, nothing written
 * back); a live one holds exactly the last secret issued as its head (one live head per refresh
 * family) and the expiry its timeouts allow; `list()` shows exactly the live sessions of each
 * user (none after logout-all); at the end, every credential and access token a dead session ever
 * had is refused. Failing runs are shrunk and reported with a replay seed.
 */
export const modelCases: ConformanceCase[] = [
  {
    id: 'model-interleavings',
    title:
      'database strategy, random create/validate/refresh/replay/revoke/logout-all/clock interleavings through a real SessionManager: no lost revocation, one live head, nothing written back, timeouts hold',
    run: (ctx) => explore(ctx, 'model-interleavings', 'database'),
  },
  {
    id: 'model-access-tokens',
    title:
      "jwt strategy, the same interleavings with access tokens checked on the issuing instance and on a second one that asks the store: a revoked session's tokens die everywhere",
    run: (ctx) => explore(ctx, 'model-access-tokens', 'jwt'),
  },
];
