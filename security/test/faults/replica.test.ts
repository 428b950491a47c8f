import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_URL, REDIS_URL } from '@sess/behaviour-suite';
import {
  createSessionManager,
  RevokedError,
  type SessionManager,
  type SessionStore,
  StoreError,
  type Strategy,
  wrapStore,
} from '@sess/core';
import { countingStore } from '@sess/store-test-kit';
import { openStore } from '@sess/store-url';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { describeWith } from '../../src/faults/services.ts';

// The revocation replica end to end on every store: two instances (two stores on one backend, as
// two processes would have), a shared test clock, real servers. See docs/invalidation.md.

const STALENESS = 5_000;
const SECRET = randomBytes(32).toString('base64url');
const KINDS = ['memory', 'sqlite', 'redis', 'postgres'] as const;
type Kind = (typeof KINDS)[number];

const jwt = {
  keys: [{ kid: 'k1', alg: 'HS256' as const, secret: randomBytes(32).toString('base64url') }],
  issuer: 'https://auth.example.com',
  audience: 'https://api.example.com',
};

/** Time that only moves when a test says so; it starts now, so the servers' own TTLs agree. */
function testClock() {
  let now = Date.now();
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two stores on one backend (the memory store is its own backend: both instances share it). */
async function storePair(
  kind: Kind,
  clock: { now(): number },
): Promise<[SessionStore, SessionStore]> {
  const name = `replica_${randomBytes(6).toString('hex')}`;
  if (kind === 'memory') {
    const store = await openStore('memory:', { clock });
    return [store, store];
  }
  if (kind === 'postgres') await schema(name);
  const url = kind === 'redis' ? REDIS_URL : kind === 'postgres' ? DATABASE_URL : fileUrl();
  const options =
    kind === 'redis'
      ? { prefix: `${name}:`, clock }
      : kind === 'postgres'
        ? { schema: name, migrate: true, clock }
        : { migrate: true, clock };
  const a = await openStore(url, options);
  const b = await openStore(url, { ...options, migrate: undefined });
  cleanups.push(async () => {
    await b.close();
    await a.close();
  });
  return [a, b];
}

/** A fresh Postgres schema, dropped after the test. */
async function schema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${name}`);
  await client.end();
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: DATABASE_URL });
    await dropper.connect();
    await dropper.query(`DROP SCHEMA ${name} CASCADE`);
    await dropper.end();
  });
}

function fileUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sess-replica-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return `file:${join(dir, 'sessions.db')}`;
}

/** Instance `b` sees the backend through `wire`: its broadcast can be lost and its calls can fail. */
async function instances(kind: Kind, strategy: Strategy) {
  const clock = testClock();
  const [storeA, storeB] = await storePair(kind, clock);
  const wire = { broadcast: true, down: false };
  const viaWire = countingStore(
    wrapStore(storeB, (operation, _args, call) =>
      wire.down ? Promise.reject(new Error(`backend unreachable (${operation})`)) : call(),
    ),
  );
  if (storeB.subscribe) {
    viaWire.subscribe = (listener) =>
      storeB.subscribe!((event) => wire.broadcast && listener(event));
  }
  const options = { secret: SECRET, clock, strategy, jwt };
  const a = createSessionManager({ ...options, store: storeA, logger: quiet });
  const b = createSessionManager({ ...options, store: viaWire, logger: quiet });
  await b.ready();
  viaWire.reset();
  return { a, b, clock, wire, calls: viaWire.calls, reset: () => viaWire.reset() };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function login(sess: SessionManager, userId: string, strategy: Strategy) {
  const issued = await sess.create(userId);
  return {
    sessionId: issued.session.id,
    token: strategy === 'database' ? issued.credential : issued.accessToken!,
  };
}

/**
 * Waits until `b` hears `a`'s broadcast: `b`'s subscription (a Postgres LISTEN, a Redis SUBSCRIBE)
 * connects in the background, and a revocation sent before it listens reaches `b` only at its
 * next poll, which a frozen clock never brings. Probe sessions are revoked until one arrives.
 */
async function listening(a: SessionManager, b: SessionManager): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const probe = await login(a, `probe-${i}`, 'jwt');
    await b.validate(probe.token);
    await a.revoke(probe.sessionId);
    if (
      await refusedWithin(b, probe.token, 500).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  throw new Error("b never heard a's broadcast");
}

/** Waits (on the wall clock, the broadcast's own time) until `b` refuses `token`; the delay in ms. */
async function refusedWithin(b: SessionManager, token: string, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const refused = await b.validate(token).then(
      () => false,
      (error) => error instanceof RevokedError,
    );
    if (refused) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`still accepted after ${limitMs} ms`);
}

/** Lets a poll that a request started finish against a real server. */
async function polled(b: SessionManager, since: number | null): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((b.metrics().caches.revocationReplica.syncedAt ?? 0) > (since ?? 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the replica never synced');
}

const describeServices = await describeWith('redis', 'postgres');

describeServices.each(KINDS)('revocation replica on %s', (kind) => {
  it('database strategy: one store call per validation, the record read (watermark included)', async () => {
    const { a, b, calls } = await instances(kind, 'database');
    const credentials: string[] = [];
    for (let i = 0; i < 300; i++) credentials.push((await login(a, `user-${i}`, 'database')).token);
    for (const credential of credentials) await b.validate(credential);
    expect(calls).toEqual({ get: 300 });
  });

  it('jwt strategy: no store call at all, 1,000 distinct tokens of 1,000 users', async () => {
    const { a, b, calls } = await instances(kind, 'jwt');
    const tokens: string[] = [];
    for (let i = 0; i < 1_000; i++) tokens.push((await login(a, `user-${i}`, 'jwt')).token);
    for (const token of tokens) await b.validate(token);
    expect(calls).toEqual({});
  });

  it('a revocation made on one instance refuses the token on the other: by broadcast, or at the next poll', async () => {
    const { a, b, clock } = await instances(kind, 'jwt');
    const alice = await login(a, 'alice', 'jwt');
    await b.validate(alice.token);
    if (kind !== 'sqlite') await listening(a, b);
    await a.revoke(alice.sessionId);
    if (kind !== 'sqlite') {
      // Only the broadcast can deliver it: the clock does not move, so no poll is due.
      const ms = await refusedWithin(b, alice.token, 1_000);
      expect(ms).toBeLessThan(1_000);
      return;
    }
    await b.validate(alice.token); // SQLite has no broadcast: accepted until the next poll
    const synced = b.metrics().caches.revocationReplica.syncedAt;
    clock.advance(STALENESS / 2);
    await b.validate(alice.token).catch(() => {});
    await polled(b, synced);
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);
  });

  it('after a broadcast outage nothing revoked is accepted: the poll catches up, a dead store is a 503', async () => {
    const { a, b, clock, wire } = await instances(kind, 'jwt');
    const alice = await login(a, 'alice', 'jwt');
    const bob = await login(a, 'bob', 'jwt');
    wire.broadcast = false;
    await a.revoke(alice.sessionId);
    const synced = b.metrics().caches.revocationReplica.syncedAt;
    clock.advance(STALENESS / 2);
    await b.validate(alice.token).catch(() => {}); // starts the poll
    await polled(b, synced);
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);

    wire.down = true;
    await a.revokeAllForUser('bob');
    clock.advance(STALENESS + 1);
    await expect(b.validate(bob.token)).rejects.toBeInstanceOf(StoreError);
    wire.down = false;
    await expect(b.validate(bob.token)).rejects.toBeInstanceOf(RevokedError);
  });
});
