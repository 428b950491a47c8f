import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createSessionManager,
  describeConfig,
  RevokedError,
  type SessionManagerOptions,
  type SessionStore,
  StoreError,
  wrapStore,
} from '../../src/index.ts';
import { signAccessToken } from '../../src/jwt/access-token.ts';
import { memoryStore } from '../../src/memory.ts';
import { frozenClock, jwtOptions, SECRET, storeCalls } from '../helpers.ts';

const STALENESS = 5_000;

/** Two instances on one backend; `b` reaches it through `wire`, which a test can cut. */
function twoInstances(options: Partial<SessionManagerOptions> = {}, { down = false } = {}) {
  const clock = frozenClock();
  const store = memoryStore({ clock });
  const wire = { broadcast: true, down };
  // b's own view of the backend: its broadcast can stop arriving, its calls can fail.
  const viaWire: SessionStore = {
    ...wrapStore(store, (operation, _args, call) => {
      if (wire.down) return Promise.reject(new Error(`backend unreachable (${operation})`));
      return call();
    }),
    subscribe: (listener) => store.subscribe!((event) => wire.broadcast && listener(event)),
  };
  const base = { secret: SECRET, clock, strategy: 'jwt' as const, jwt: jwtOptions, ...options };
  const a = createSessionManager({ ...base, store });
  const b = createSessionManager({ ...base, store: viaWire });
  return { a, b, clock, store, wire };
}

async function login(sess: ReturnType<typeof twoInstances>['a'], userId: string) {
  const issued = await sess.create(userId);
  return { sessionId: issued.session.id, token: issued.accessToken! };
}

describe('revocation replica (jwt strategy)', () => {
  it('validates 100,000 distinct tokens with zero store calls after start', async () => {
    const { a, b, clock } = twoInstances();
    // Minted straight from the keyring (a login per token would only time the store): 100,000
    // tokens of 100,000 sessions of 20,000 users, every one verified in full (no cache hit).
    const config = {
      ...jwtOptions,
      lifetimeMs: 900_000,
      clockSkewMs: 30_000,
      maxTokenLength: 4096,
      customClaims: [],
    };
    const tokens: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const input = { sub: `user-${i % 20_000}`, sid: `session-${i}`, now: clock.now() };
      tokens.push((await signAccessToken(a.keyring!, config, input)).token);
    }
    await b.ready();
    const counter = storeCalls(b);
    for (const token of tokens) await b.validate(token);
    expect(counter.calls).toEqual({});
    expect(b.metrics().caches.accessTokens).toMatchObject({ hits: 0, misses: 100_000 });
  }, 60_000);

  it('honours a revocation made on another instance as soon as its broadcast arrives', async () => {
    const { a, b } = twoInstances();
    const alice = await login(a, 'alice');
    const bob = await login(a, 'bob');
    const carol = await login(a, 'carol');
    await b.ready();
    await b.validate(alice.token);
    const counter = storeCalls(b);

    await a.revoke(alice.sessionId);
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);
    await a.revokeAllForUser('bob');
    await expect(b.validate(bob.token)).rejects.toBeInstanceOf(RevokedError);
    await b.validate(carol.token);
    await a.revokeEverything();
    await expect(b.validate(carol.token)).rejects.toBeInstanceOf(RevokedError);
    expect(counter.calls).toEqual({});
  });

  it('catches up by polling when the broadcast is lost, within the staleness', async () => {
    const { a, b, clock, wire } = twoInstances();
    const alice = await login(a, 'alice');
    await b.ready();
    wire.broadcast = false;
    await a.revoke(alice.sessionId);
    // Not yet known: the configured staleness is the bound without a broadcast.
    await b.validate(alice.token);
    clock.advance(STALENESS / 2); // a poll is due: this request starts it
    await b.validate(alice.token);
    await settle();
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);
  });

  it('fails closed when it cannot sync: past the staleness it asks the store, and a dead store is a 503', async () => {
    const { a, b, clock, wire } = twoInstances();
    const alice = await login(a, 'alice');
    const bob = await login(a, 'bob');
    await b.ready();
    wire.broadcast = false;
    wire.down = true;
    await a.revoke(alice.sessionId);
    await a.revokeAllForUser('bob');
    clock.advance(STALENESS + 1);
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(StoreError);
    await expect(b.validate(bob.token)).rejects.toBeInstanceOf(StoreError);

    // Back up: everything revoked during the outage is refused, by the store and then by the resync.
    wire.down = false;
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);
    await expect(b.validate(bob.token)).rejects.toBeInstanceOf(RevokedError);
    await settle();
    expect(b.metrics().caches.revocationReplica.syncedAt).toBe(clock.now());
    const counter = storeCalls(b);
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);
    await expect(b.validate(bob.token)).rejects.toBeInstanceOf(RevokedError);
    expect(counter.calls).toEqual({});
  });

  it('resyncs from the last seen point: revocations missed while polls failed arrive with the next one', async () => {
    const { a, b, clock, wire } = twoInstances();
    const alice = await login(a, 'alice');
    await b.ready();
    wire.broadcast = false;
    wire.down = true;
    clock.advance(STALENESS / 2);
    await b.validate(alice.token); // starts a poll, which fails
    await settle();
    await a.revoke(alice.sessionId);
    wire.down = false;
    clock.advance(1);
    await b.validate(alice.token); // still within the staleness of the last good sync; polls again
    await settle();
    await expect(b.validate(alice.token)).rejects.toBeInstanceOf(RevokedError);
  });

  it('ready() rejects while the store is down, then resolves', async () => {
    const { b, wire } = twoInstances({}, { down: true });
    await expect(b.ready()).rejects.toBeInstanceOf(StoreError);
    await expect(b.ready()).rejects.toBeInstanceOf(StoreError);
    wire.down = false;
    await expect(b.ready()).resolves.toBeUndefined();
    expect(b.metrics().caches.revocationReplica.syncedAt).not.toBeNull();
  });

  it('holds only what can still refuse a token: expired deny entries and old watermarks are dropped', async () => {
    const { a, b, clock } = twoInstances();
    await b.ready();
    for (let i = 0; i < 50; i++) await a.revoke((await login(a, `user-${i}`)).sessionId);
    for (let i = 0; i < 50; i++) await a.revokeAllForUser(`other-${i}`);
    expect(b.metrics().caches.revocationReplica.size).toBe(100);
    clock.advance(15 * 60_000 + 30_000 + 1_001); // the access-token lifetime plus skew, plus iat's second
    const fresh = await login(a, 'fresh');
    await b.validate(fresh.token); // the poll is due: it prunes
    await settle();
    expect(b.metrics().caches.revocationReplica.size).toBe(0);
  });

  it('is on by default where it can hold, and refused where it cannot', () => {
    const clock = frozenClock();
    const base = { secret: SECRET, clock, jwt: jwtOptions };
    const store = memoryStore({ clock });
    expect(describeConfig({ ...base, store, strategy: 'jwt' }).revocation.replica).toBe(true);
    expect(describeConfig({ ...base, store, strategy: 'hybrid' }).revocation.replica).toBe(true);
    expect(describeConfig({ ...base, store, strategy: 'database' }).revocation.replica).toBe(true);
    const { recentRevocations: _, ...older } = store;
    expect(describeConfig({ ...base, store: older, strategy: 'jwt' }).revocation.replica).toBe(
      false,
    );
    const refused = () =>
      createSessionManager({
        ...base,
        store: older,
        strategy: 'jwt',
        revocation: { replica: true, staleness: 0 },
      });
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(/the store has no recentRevocations/);
    expect(refused).toThrow(/staleness 0 asks the store every time/);
    const off = createSessionManager({
      ...base,
      store,
      strategy: 'jwt',
      revocation: { replica: false },
    });
    expect(off.metrics().caches.revocationReplica.syncedAt).toBeNull();
  });
});

/** Lets the background poll (started by a request) finish: it awaits only the memory store. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('revocation replica (database strategy)', () => {
  it('validates with exactly one store call, the record read: the watermark comes from the replica', async () => {
    const { a, b } = twoInstances({ strategy: 'database' });
    const credentials: string[] = [];
    for (let i = 0; i < 2_000; i++) credentials.push((await a.create(`user-${i}`)).credential);
    await b.ready();
    const counter = storeCalls(b);
    for (const credential of credentials) await b.validate(credential);
    expect(counter.calls).toEqual({ get: 2_000 });
  });

  it('refuses a session behind a watermark raised on another instance, by broadcast or by the next poll', async () => {
    // revokeEverything keeps the records and raises the global watermark: only it can refuse them.
    const { a, b, clock, wire } = twoInstances({ strategy: 'database' });
    const alice = (await a.create('alice')).credential;
    await b.ready();
    await b.validate(alice);
    const counter = storeCalls(b);
    await a.revokeEverything();
    await expect(b.validate(alice)).rejects.toBeInstanceOf(RevokedError);
    expect(counter.calls).toEqual({ get: 1 });

    clock.advance(1_000);
    const bob = (await a.create('bob')).credential;
    wire.broadcast = false;
    clock.advance(1_000);
    await a.revokeEverything();
    await b.validate(bob); // not yet known: the staleness is the bound without a broadcast
    clock.advance(STALENESS / 2);
    await b.validate(bob); // a poll is due: this request starts it
    await settle();
    await expect(b.validate(bob)).rejects.toBeInstanceOf(RevokedError);
  });

  it('keeps watermarks as long as a session can live: an old session is still refused', async () => {
    const { a, b, clock } = twoInstances({
      strategy: 'database',
      sessions: { standard: { idleTimeout: '30d', absoluteTimeout: '30d' } },
    });
    const old = (await a.create('carol')).credential;
    clock.advance(60_000);
    await a.revokeEverything();
    clock.advance(20 * 86_400_000); // far past any access-token horizon, within the session's life
    const fresh = await b.create('dave'); // any request starts the poll that prunes
    await b.validate(fresh.credential);
    await settle();
    await expect(b.validate(old)).rejects.toBeInstanceOf(RevokedError);
  });
});

describe('revocation replica and close()', () => {
  it('waits for a sync in flight and starts none after: the store can close right after', async () => {
    const clock = frozenClock();
    const store = memoryStore({ clock });
    let release = (): void => {};
    let syncs = 0;
    const slow = wrapStore(store, (operation, _args, call) => {
      if (operation !== 'recentRevocations') return call();
      syncs++;
      return new Promise((resolve) => {
        release = () => resolve(call());
      });
    });
    const sess = createSessionManager({
      store: slow,
      secret: SECRET,
      clock,
      strategy: 'jwt',
      jwt: jwtOptions,
    });
    const { accessToken } = await sess.create('alice');
    let closed = false;
    const closing = sess.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false); // the first load is still in flight
    release();
    await closing;
    clock.advance(STALENESS * 2);
    await expect(sess.validate(accessToken!)).resolves.toMatchObject({ userId: 'alice' });
    expect(syncs).toBe(1);
  });
});
