import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSessionManager, httpStatusFor, type SessionManager } from '@sess/core';
import { randomId } from '@sess/store-test-kit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { postgresStore } from '../src/index.ts';
import { app } from './app.ts';
import {
  backends,
  DATABASE_URL,
  describePg,
  freshSchema,
  recordingLogger,
  suffix,
  terminate,
  until,
} from './support.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Anything thrown or rejected without a handler during a test is a failure of that test.
let unhandled: unknown[] = [];
const record = (error: unknown) => void unhandled.push(error);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  cleanups.push(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
});

// The store's URL carries a password (ignored under trust auth) so the test can prove it never leaks.
const PASSWORD = new URL(DATABASE_URL).password || `pw-${randomId()}`;
const URL_WITH_PASSWORD = (() => {
  const url = new URL(DATABASE_URL);
  url.password = PASSWORD;
  return url.toString();
})();

async function storeForFaults(options: { applicationName: string }) {
  const { schema, drop } = await freshSchema();
  const logger = recordingLogger();
  const store = postgresStore({
    url: URL_WITH_PASSWORD,
    schema,
    logger,
    poolOptions: { application_name: options.applicationName },
  });
  cleanups.push(drop, () => store.close());
  return { store, logger, schema };
}

const isStoreError = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return code === 'ERR_SESS_STORE' && httpStatusFor(code) === 503;
};

describePg('backends terminated mid-traffic', () => {
  it('requests pass or fail with a 503, revocations hold, and the same store recovers', async () => {
    const applicationName = `sess-fault-${suffix()}`;
    const { store, logger } = await storeForFaults({ applicationName });
    const db = createSessionManager({ store, secret: app.secret });
    const jwt = createSessionManager({ ...app, store });
    cleanups.push(
      () => db.close(),
      () => jwt.close(),
    );

    // Before the fault: live sessions, and revocations that were acknowledged.
    const live = await Promise.all(Array.from({ length: 8 }, (_, i) => db.create(`user-${i}`)));
    const rotating = await Promise.all(Array.from({ length: 4 }, (_, i) => jwt.create(`r-${i}`)));
    const doomed = await Promise.all(Array.from({ length: 6 }, (_, i) => db.create(`d-${i}`)));
    const revokedCredentials: string[] = [];
    const revokedTokens: string[] = [];
    for (const issued of await Promise.all([1, 2, 3].map(() => db.create('gone')))) {
      await db.revoke(issued.session.id);
      revokedCredentials.push(issued.credential);
    }
    const loggedOut = await jwt.create('logged-out');
    await jwt.revoke(loggedOut.session.id);
    const everywhere = await jwt.create('everywhere');
    await jwt.revokeAllForUser('everywhere');
    const leaked = await jwt.create('leaked');
    await jwt.revokeAccessToken(leaked.accessToken!);
    revokedTokens.push(loggedOut.accessToken!, everywhere.accessToken!, leaked.accessToken!);
    revokedCredentials.push(loggedOut.credential, everywhere.credential);

    const stats = { passed: 0, storeErrors: 0, worstMs: 0 };
    const wrong: string[] = [];
    let running = true;
    const observe = async (label: string, request: () => Promise<unknown>, mustFail: boolean) => {
      const started = performance.now();
      try {
        await request();
        if (mustFail) wrong.push(`${label}: a revoked credential was accepted`);
        else stats.passed++;
      } catch (error) {
        const ms = performance.now() - started;
        stats.worstMs = Math.max(stats.worstMs, ms);
        if (isStoreError(error)) stats.storeErrors++;
        else if (!mustFail) wrong.push(`${label}: ${String((error as { code?: unknown }).code)}`);
        return false;
      }
      return true;
    };

    const validating = live.map(async ({ credential }) => {
      while (running) await observe('validate', () => db.validate(credential), false);
    });
    const credentials = rotating.map((issued) => issued.credential);
    const refreshing = credentials.map(async (_, i) => {
      while (running) {
        await observe(
          'refresh',
          async () => {
            const next = await jwt.refresh(credentials[i]!);
            credentials[i] = next.credential; // on failure the old one is retried: same successor
            await jwt.validate(next.accessToken!);
          },
          false,
        );
      }
    });
    const checking = [0, 1].map(async () => {
      while (running) {
        for (const credential of [...revokedCredentials]) {
          await observe('revoked session', () => db.validate(credential), true);
        }
        for (const token of revokedTokens) {
          await observe('revoked access token', () => jwt.validate(token), true);
        }
      }
    });
    const unacknowledged: string[] = [];
    const revoking = (async () => {
      for (const issued of doomed) {
        await sleep(40);
        const done = await observe('revoke', () => db.revoke(issued.session.id), false);
        (done ? revokedCredentials : unacknowledged).push(issued.credential);
      }
    })();

    await sleep(300);
    let terminated = 0;
    for (let round = 0; round < 3; round++) {
      terminated += await terminate(applicationName);
      await sleep(150);
    }
    await sleep(400);
    running = false;
    await Promise.all([...validating, ...refreshing, ...checking, revoking]);

    const recovered = performance.now();
    for (const { credential } of live) await db.validate(credential);
    for (const credential of credentials) await jwt.refresh(credential);
    for (const credential of unacknowledged) {
      await db.revoke(credential.slice(0, credential.indexOf('.')));
      revokedCredentials.push(credential);
    }
    const recoveryMs = performance.now() - recovered;
    for (const credential of revokedCredentials) {
      await expect(db.validate(credential)).rejects.toMatchObject({
        code: 'ERR_SESS_INVALID_CREDENTIAL', // the record is gone: a 401, no longer a 503
      });
    }
    for (const token of revokedTokens) {
      await expect(jwt.validate(token)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    }

    console.log(
      `[store-postgres] faults: ${terminated} backends terminated in 3 rounds mid-traffic; ` +
        `${stats.passed} requests passed, ${stats.storeErrors} failed with StoreError (503), ` +
        `${wrong.length} wrong; slowest failure ${stats.worstMs.toFixed(0)} ms; ` +
        `every session and revocation intact afterwards (checked in ${recoveryMs.toFixed(0)} ms), same store`,
    );
    expect(wrong).toEqual([]);
    expect(terminated).toBeGreaterThan(3);
    expect(stats.storeErrors).toBeGreaterThan(0); // the fault really hit requests in flight
    expect(stats.passed).toBeGreaterThan(100);
    expect(stats.worstMs).toBeLessThan(3_000); // the pool's connection and query timeouts
    expect(unhandled).toEqual([]);
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
  }, 30_000);

  it('the LISTEN connection comes back after its backend is terminated', async () => {
    const listenerApp = `sess-listen-${suffix()}`;
    const {
      store: listener,
      logger,
      schema,
    } = await storeForFaults({
      applicationName: listenerApp,
    });
    const writer = postgresStore({ url: DATABASE_URL, schema, logger: recordingLogger() });
    cleanups.push(() => writer.close());
    const heard = new Set<string>();
    listener.subscribe((event) => void (event.type === 'deny' && heard.add(event.key)));
    await listener.deny('warm-up', Date.now() + 60_000);
    await until(() => heard.has('warm-up'), 2_000, 'the first broadcast');

    expect(await terminate(listenerApp)).toBeGreaterThan(0);
    const started = performance.now();
    let attempt = 0;
    for (;;) {
      const key = `after-${attempt++}`;
      await writer.deny(key, Date.now() + 60_000);
      const arrived = await until(() => heard.has(key), 20, key).then(
        () => true,
        () => false,
      );
      if (arrived) break;
      expect(performance.now() - started).toBeLessThan(5_000);
    }
    const reconnectMs = performance.now() - started;
    console.log(
      `[store-postgres] LISTEN connection terminated: broadcasts from another instance arrive again after ${reconnectMs.toFixed(0)} ms`,
    );
    expect(logger.lines).toContainEqual(expect.stringMatching(/LISTEN connection was lost.*57P01/));
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
    expect(unhandled).toEqual([]);
  });

  it('an unreachable server: requests fail fast with 503, LISTEN retries with backoff until closed', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const logger = recordingLogger();
    const store = postgresStore({
      url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/test`,
      logger,
      reconnect: { minDelayMs: 20, maxDelayMs: 80 },
    });
    cleanups.push(() => store.close());
    const sess: SessionManager = createSessionManager({ store, secret: app.secret });

    const started = performance.now();
    const error = await sess.create('alice').catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(JSON.stringify(error) + String(error)).not.toContain(PASSWORD);

    const attempts = () => logger.lines.filter((l) => l.includes('LISTEN connection')).length;
    await until(() => attempts() >= 5, 3_000, 'five reconnect attempts');
    sess.close(); // the last subscriber leaves: no more attempts
    await store.close();
    const after = attempts();
    await sleep(200);
    expect(attempts()).toBe(after);
    expect(logger.lines.join('\n')).not.toContain(PASSWORD);
    expect(unhandled).toEqual([]);
  });
});

describePg('close during traffic', () => {
  it('ends the pool and the LISTEN connection; requests then reject, nothing is left open', async () => {
    const applicationName = `sess-close-${suffix()}`;
    const { store } = await storeForFaults({ applicationName });
    const sess = createSessionManager({ store, secret: app.secret });
    const { credential } = await sess.create('alice');
    await until(async () => (await backends(applicationName)) >= 2, 2_000, 'pool and LISTEN');
    const inFlight = Array.from({ length: 20 }, () =>
      sess.validate(credential).then(
        () => 'passed',
        (error: unknown) => (isStoreError(error) ? 'store-error' : 'wrong'),
      ),
    );
    await store.close();
    expect(new Set(await Promise.all(inFlight))).not.toContain('wrong');
    await expect(sess.validate(credential)).rejects.toMatchObject({ code: 'ERR_SESS_STORE' });
    // The server ends a backend shortly after its client said goodbye.
    await until(async () => (await backends(applicationName)) === 0, 2_000, 'no backend left');
    expect(unhandled).toEqual([]);
  });
});
