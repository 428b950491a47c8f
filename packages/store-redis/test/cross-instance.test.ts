import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from '@sess/core';
import { randomId } from '@sess/store-test-kit';
import { afterAll, afterEach, expect, it } from 'vitest';
import { type RedisStore, redisStore } from '../src/index.ts';
import {
  describeRedis,
  managerOptions,
  REDIS_URL,
  randomPrefix,
  removeKeys,
  subscribers,
  testClient,
} from './support.ts';

// B validates once before each revocation, so its revocation cache holds "not revoked" for 5 s (the
// default staleness). Where B must consult that cache (access tokens in the jwt strategy, and the
// global watermark of revokeEverything) a refusal within this bound can only come from the pub/sub
// message; database-strategy revoke and revokeAllForUser delete the session, which B reads anyway.
// A fifth of the staleness: room for a loaded CI machine (typical figures are a few ms).
const PROPAGATION_LIMIT_MS = 1_000;

const admin = testClient({ lazyConnect: true });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.disconnect());

/** A manager on its own connection (a store from the URL); every store of a test shares `prefix`. */
function instance(
  prefix: string,
  options: Partial<SessionManagerOptions> & { wrap?: (store: RedisStore) => SessionStore } = {},
): SessionManager {
  const { wrap, ...overrides } = options;
  const store = redisStore({ url: REDIS_URL, prefix });
  const sess = createSessionManager({
    ...managerOptions,
    ...overrides,
    store: wrap ? wrap(store) : store,
  });
  cleanups.push(async () => {
    await sess.close();
    await store.close();
    await removeKeys(admin, prefix);
  });
  return sess;
}

/** The store without `subscribe`: what an instance sees from a backend that cannot broadcast. */
const deaf = (store: RedisStore): SessionStore =>
  Object.assign(Object.create(store) as SessionStore, { subscribe: undefined });

/** Validates in a loop until refused; returns the error code and ms since `since`. */
async function untilRefused(
  validate: () => Promise<unknown>,
  since: number,
): Promise<{ code: unknown; ms: number }> {
  while (performance.now() - since < 2_000) {
    try {
      await validate();
    } catch (error) {
      return { code: (error as { code?: unknown }).code, ms: performance.now() - since };
    }
    await nextTurn();
  }
  throw new Error('still accepted 2 s after the revocation');
}

const report = (what: string, ms: number): void =>
  console.log(`cross-instance propagation, ${what}: ${ms.toFixed(2)} ms (broadcast on)`);

type Revocation = [
  name: string,
  strategy: 'jwt' | 'database',
  code: string,
  revoke: (
    a: SessionManager,
    issued: { userId: string; sessionId: string; token: string },
  ) => Promise<unknown>,
];

const revocations: Revocation[] = [
  [
    'jwt revokeAccessToken',
    'jwt',
    'ERR_SESS_REVOKED',
    (a, { token }) => a.revokeAccessToken(token),
  ],
  ['jwt revoke (session)', 'jwt', 'ERR_SESS_REVOKED', (a, { sessionId }) => a.revoke(sessionId)],
  [
    'jwt revokeAllForUser',
    'jwt',
    'ERR_SESS_REVOKED',
    (a, { userId }) => a.revokeAllForUser(userId),
  ],
  ['jwt revokeEverything', 'jwt', 'ERR_SESS_REVOKED', (a) => a.revokeEverything()],
  [
    'database revoke',
    'database',
    'ERR_SESS_INVALID_CREDENTIAL',
    (a, { sessionId }) => a.revoke(sessionId),
  ],
  [
    'database revokeAllForUser',
    'database',
    'ERR_SESS_INVALID_CREDENTIAL',
    (a, { userId }) => a.revokeAllForUser(userId),
  ],
  ['database revokeEverything', 'database', 'ERR_SESS_REVOKED', (a) => a.revokeEverything()],
];

async function issue(a: SessionManager) {
  const userId = `user-${randomId()}`;
  const issued = await a.create(userId);
  const token = issued.accessToken ?? issued.credential;
  return { userId, sessionId: issued.session.id, token };
}

describeRedis('revocations across instances (two managers, two connections, one prefix)', () => {
  it.each(revocations)('%s on A: B refuses within 100 ms', async (name, strategy, code, revoke) => {
    const prefix = randomPrefix();
    const a = instance(prefix, { strategy });
    const b = instance(prefix, { strategy });
    await expect.poll(() => subscribers(admin, prefix), { timeout: 5_000 }).toBe(2);
    const issued = await issue(a);
    await b.validate(issued.token); // B now holds fresh "not revoked" answers for 5 s

    const started = performance.now();
    await revoke(a, issued);
    const refused = await untilRefused(() => b.validate(issued.token), started);
    report(name, refused.ms);
    expect(refused.code).toBe(code);
    expect(refused.ms).toBeLessThan(PROPAGATION_LIMIT_MS);
  });

  it('without a broadcast B keeps its cached answer; with staleness 0 it asks Redis every time', async () => {
    const prefix = randomPrefix();
    const a = instance(prefix, { strategy: 'jwt' });
    // A minute of staleness: no poll (every half staleness) can fall inside the test, however slow
    // the machine, so only a broadcast could change B's answer.
    const stale = instance(prefix, {
      strategy: 'jwt',
      wrap: deaf,
      revocation: { staleness: '1m' },
    });
    const strict = instance(prefix, { strategy: 'jwt', wrap: deaf, revocation: { staleness: 0 } });
    // Their first loads done: one still in flight when A revokes could read the revocation itself.
    await Promise.all([stale.ready(), strict.ready()]);
    const issued = await issue(a);
    await stale.validate(issued.token);
    await strict.validate(issued.token);

    await a.revokeAccessToken(issued.token);
    // The very next call, no waiting: staleness 0 reads the deny-list from Redis.
    await expect(strict.validate(issued.token)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    // The control: the same deaf store, still within its staleness, accepts the token, so the
    // figures above are the broadcast's doing.
    await expect(stale.validate(issued.token)).resolves.toMatchObject({ userId: issued.userId });
  });
});

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/instance.ts', import.meta.url));
const CHILD_TSCONFIG = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url));

function spawnInstance(prefix: string): {
  child: ChildProcessWithoutNullStreams;
  send(command: object): void;
  next(): Promise<Record<string, unknown>>;
} {
  const config = { url: REDIS_URL, prefix, manager: { ...managerOptions, strategy: 'jwt' } };
  const child = spawn(TSX, [CHILD], {
    env: {
      ...process.env,
      SESS_TEST_INSTANCE: JSON.stringify(config),
      TSX_TSCONFIG_PATH: CHILD_TSCONFIG,
    },
  });
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    send: (command) => child.stdin.write(`${JSON.stringify(command)}\n`),
    async next() {
      const { value, done } = await lines.next();
      if (done) throw new Error(`instance B exited (code ${child.exitCode})`);
      return JSON.parse(value) as Record<string, unknown>;
    },
  };
}

describeRedis('revocations across processes', () => {
  it('jwt revokeAccessToken on A (this process): B (a child process) refuses within 100 ms', async () => {
    const prefix = randomPrefix();
    const a = instance(prefix, { strategy: 'jwt' });
    const b = spawnInstance(prefix);
    const exited = new Promise((resolve) => b.child.once('exit', resolve));
    cleanups.push(async () => {
      b.child.kill();
      await exited;
    });
    await expect.poll(() => subscribers(admin, prefix), { timeout: 15_000 }).toBe(2);
    const issued = await issue(a);

    b.send({ op: 'watch', token: issued.token });
    expect(await b.next()).toEqual({ armed: true });
    const started = performance.timeOrigin + performance.now();
    await a.revokeAccessToken(issued.token);
    const refused = await b.next();
    expect(refused).toMatchObject({ code: 'ERR_SESS_REVOKED', rejectedAt: expect.any(Number) });
    const ms = (refused.rejectedAt as number) - started;
    report('jwt revokeAccessToken, another process', ms);
    expect(ms).toBeLessThan(PROPAGATION_LIMIT_MS);

    b.send({ op: 'exit' });
    expect(await exited).toBe(0);
  }, 30_000);
});
