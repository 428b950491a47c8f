import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createSessionManager, type SessionManager, type SessionStore } from '@sess/core';
import { randomId } from '@sess/store-test-kit';
import { afterAll, afterEach, expect, it } from 'vitest';
import { type PostgresStore, postgresStore } from '../src/index.ts';
import { app, type FromChild, type ToChild } from './app.ts';
import { DATABASE_URL, describePg, freshSchema, recordingLogger, testPool } from './support.ts';

// Without the broadcast, B would keep accepting for revocation.staleness (5 s): a fifth of that can
// only be the broadcast, with room for a loaded CI machine (typical figures are a few ms).
const BROADCAST_BOUND_MS = 1_000;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) {
    console.log(
      `[store-postgres] cross-instance propagation, from the revoking call on A to B's first rejection (LISTEN/NOTIFY): ${figures.join(', ')}`,
    );
  }
});

function storeOn(schema: string): PostgresStore {
  const pool = testPool();
  const store = postgresStore({ pool, schema, logger: recordingLogger() });
  cleanups.push(
    () => pool.end(),
    () => store.close(),
  );
  return store;
}

function manager(store: SessionStore, options: { staleness?: number } = {}): SessionManager {
  const sess = createSessionManager({
    ...app,
    store,
    ...(options.staleness === undefined ? {} : { revocation: { staleness: options.staleness } }),
  });
  cleanups.push(() => sess.close());
  return sess;
}

/** The store as a backend that cannot broadcast: instances then rely on staleness alone. */
const withoutBroadcast = (store: PostgresStore): SessionStore => ({
  ...store,
  subscribe: undefined,
});

/**
 * Resolves once the store's LISTEN connection is live: it hears its own broadcast, so it hears
 * every broadcast committed from now on, whoever writes it.
 */
async function listening(store: PostgresStore): Promise<void> {
  const key = `warm-up-${randomId()}`;
  const heard = new Promise<void>((resolve) => {
    const off = store.subscribe((event) => {
      if (event.type === 'deny' && event.key === key) {
        off();
        resolve();
      }
    });
  });
  await store.deny(key, Date.now() + 60_000);
  await heard;
}

/** Two instances of the app, each with its own Pool, sharing one fresh schema. */
async function twoInstances() {
  const { schema, drop } = await freshSchema();
  cleanups.push(drop);
  const storeA = storeOn(schema);
  const storeB = storeOn(schema);
  const a = manager(storeA);
  const b = manager(storeB);
  await listening(storeB);
  return { schema, storeA, storeB, a, b };
}

/**
 * B accepts `token` (and caches that answer), A revokes, then B validates in a loop until it
 * rejects with ERR_SESS_REVOKED. Returns the milliseconds from the start of A's call.
 */
async function propagation(
  b: SessionManager,
  token: string,
  revoke: () => Promise<unknown>,
): Promise<number> {
  await b.validate(token);
  const started = performance.now();
  await revoke();
  for (;;) {
    const outcome = await b.validate(token).then(
      () => 'accepted',
      (error: unknown) => error,
    );
    const elapsed = performance.now() - started;
    if (outcome !== 'accepted') {
      expect(outcome).toMatchObject({ code: 'ERR_SESS_REVOKED' });
      return elapsed;
    }
    if (elapsed > 2_000) throw new Error('B still accepts the token 2 s after the revocation');
    await nextTurn();
  }
}

const measured = (label: string, ms: number): void => {
  figures.push(`${label} ${ms.toFixed(1)} ms`);
  expect(ms).toBeLessThan(BROADCAST_BOUND_MS);
};

describePg('revocation across instances (two Pools, one schema)', () => {
  it('revoke on A: B rejects the access tokens of that session at once', async () => {
    const { a, b } = await twoInstances();
    const { session, accessToken } = await a.create('alice');
    measured('revoke', await propagation(b, accessToken!, () => a.revoke(session.id)));
  });

  it('revokeAllForUser on A (log out everywhere): B rejects every token of the user', async () => {
    const { a, b } = await twoInstances();
    const first = await a.create('alice');
    const second = await b.create('alice');
    const other = await a.create('bob');
    await b.validate(first.accessToken!);
    measured(
      'revokeAllForUser',
      await propagation(b, second.accessToken!, () => a.revokeAllForUser('alice')),
    );
    await expect(b.validate(first.accessToken!)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
    await b.validate(other.accessToken!); // only alice's tokens
  });

  it('revokeAllForUser with except on A (log out other devices): B rejects the others', async () => {
    const { a, b } = await twoInstances();
    const kept = await a.create('alice');
    const dropped = await a.create('alice');
    await b.validate(kept.accessToken!);
    measured(
      'revokeAllForUser(except)',
      await propagation(b, dropped.accessToken!, () =>
        a.revokeAllForUser('alice', { except: [kept.session.id] }),
      ),
    );
    await b.validate(kept.accessToken!);
  });

  it('revokeEverything on A: B rejects every token it has seen', async () => {
    const { a, b } = await twoInstances();
    const alice = await a.create('alice');
    const bob = await b.create('bob');
    await b.validate(bob.accessToken!);
    measured(
      'revokeEverything',
      await propagation(b, alice.accessToken!, () => a.revokeEverything()),
    );
    await expect(b.validate(bob.accessToken!)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('revokeAccessToken on A: B rejects that token only', async () => {
    const { a, b } = await twoInstances();
    const { credential, accessToken } = await a.create('alice');
    const refreshed = await b.refresh(credential);
    measured(
      'revokeAccessToken',
      await propagation(b, accessToken!, () => a.revokeAccessToken(accessToken!)),
    );
    await b.validate(refreshed.accessToken!);
  });

  it('without broadcast B keeps accepting within staleness; with staleness 0 it rejects at once', async () => {
    const { a, storeB } = await twoInstances();
    // A minute of staleness: no poll (every half staleness) falls inside the test, however slow
    // the machine, so only a broadcast could change its answer.
    const cached = manager(withoutBroadcast(storeB), { staleness: 60_000 });
    const uncached = manager(withoutBroadcast(storeB), { staleness: 0 });
    // Their first loads done: one still in flight when A revokes could read the revocation itself.
    await Promise.all([cached.ready(), uncached.ready()]);
    const { session, accessToken } = await a.create('alice');
    await cached.validate(accessToken!);
    await uncached.validate(accessToken!);

    await a.revoke(session.id);
    // The control: a cached "not revoked" answer holds within the staleness when nobody is told.
    await expect(cached.validate(accessToken!)).resolves.toMatchObject({ userId: 'alice' });
    // Staleness 0 asks the database on every request: the first request after the revocation fails.
    await expect(uncached.validate(accessToken!)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
    figures.push(
      'staleness 0 without broadcast: rejected on the first request after the revocation',
    );
  });
});

// The workspace's tsx binary (tsx is a dev dependency of the repository's examples).
const TSX =
  [
    '../../../node_modules/.bin/tsx',
    '../../../node_modules/.pnpm/node_modules/.bin/tsx',
    '../../../examples/quickstart/node_modules/.bin/tsx',
  ]
    .map((path) => fileURLToPath(new URL(path, import.meta.url)))
    .find((path) => existsSync(path)) ?? 'tsx (not found in the workspace)';

function startInstance(schema: string): { child: ChildProcess; next: () => Promise<FromChild> } {
  const child = spawn(
    TSX,
    [
      '--tsconfig',
      fileURLToPath(new URL('./child.tsconfig.json', import.meta.url)),
      fileURLToPath(new URL('./instance.ts', import.meta.url)),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, DATABASE_URL, SESS_TEST_SCHEMA: schema },
    },
  );
  const inbox: FromChild[] = [];
  const waiting: ((message: FromChild) => void)[] = [];
  child.on('message', (message: FromChild) => {
    const wake = waiting.shift();
    if (wake) wake(message);
    else inbox.push(message);
  });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const early = inbox.shift();
      if (early) return resolve(early);
      const timer = setTimeout(
        () => reject(new Error('no message from the child in 10 s')),
        10_000,
      );
      waiting.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        if (child.connected) child.send({ type: 'exit' } satisfies ToChild);
        else child.kill();
      }),
  );
  return { child, next };
}

describePg('revocation across processes', () => {
  it('log out everywhere in this process: the other process rejects within the bound', async () => {
    expect(existsSync(TSX), `tsx is needed to start the second process (${TSX})`).toBe(true);
    const { schema, drop } = await freshSchema();
    cleanups.push(drop);
    const storeA = storeOn(schema);
    const a = manager(storeA);
    const { child, next } = startInstance(schema);

    expect(await next()).toEqual({ type: 'listening' });
    const { accessToken } = await a.create('alice');
    child.send({ type: 'watch', token: accessToken! } satisfies ToChild);
    expect(await next()).toEqual({ type: 'watching' });
    const started = performance.now();
    await a.revokeAllForUser('alice');
    expect(await next()).toEqual({ type: 'rejected', code: 'ERR_SESS_REVOKED' });
    measured('two processes (revokeAllForUser)', performance.now() - started);
  }, 30_000);
});
