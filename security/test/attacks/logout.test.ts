import { randomBytes } from 'node:crypto';
import { createSessionManager, type SessionStore } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerLogin,
  bearerMe,
  bearerRefresh,
  browserHeaders,
  cloneClient,
  cookieHeader,
  cookieNames,
  liveSessionIds,
  type RawReply,
  raw,
  reachable,
  refreshCredential,
  type SetCookie,
  seededVictim,
  useFrozenDemoClock,
} from '../../src/attacks/http.ts';
import {
  DemoClient,
  MATRIX,
  STRATEGIES,
  type Strategy,
  sessionIdOf,
  startTarget,
  type Target,
  victim,
} from '../../src/target.ts';

const MINUTE = 60_000;

const clock = useFrozenDemoClock();

describe.each(MATRIX)('logout and revocation: %s × %s', (framework, strategy) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(framework, strategy);
  });
  afterAll(() => target?.close());

  it('logout clears every auth cookie: empty, Max-Age=0, with the Path and attributes it was set with', async () => {
    const names = cookieNames(target);
    const set = new Map<string, SetCookie>();
    const csrf = await raw(target, 'GET', '/auth/csrf', { headers: { origin: target.url } });
    for (const c of csrf.setCookies) set.set(c.name, c);
    const jar = new DemoClient(target.url, 'victim-browser/1');
    jar.cookies.set(names.csrf, set.get(names.csrf)!.value);
    jar.csrfToken = csrf.body.csrfToken;
    const login = await raw(target, 'POST', '/auth/login', {
      headers: browserHeaders(jar),
      body: { email: 'alice@example.com', password: 'alice-password-1' },
    });
    expect(login.status).toBe(200);
    for (const c of login.setCookies) {
      set.set(c.name, c);
      jar.cookies.set(c.name, c.value);
    }
    jar.csrfToken = login.body.csrfToken;
    const before = cloneClient(jar);
    const id = await sessionIdOf(cloneClient(jar));

    const logout = await raw(target, 'POST', '/auth/logout', { headers: browserHeaders(jar) });
    expect(logout.status).toBe(200);
    expect(logout.headers.get('clear-site-data')).toContain('"cookies"');
    const cleared = new Map(logout.setCookies.map((c) => [c.name, c]));
    const expected = [names.session, names.csrf];
    if (strategy !== 'database') expected.push(names.refresh);
    for (const name of expected) {
      const was = set.get(name);
      const now = cleared.get(name);
      expect(was, `${name} was set`).toBeDefined();
      expect(now, `${name} is cleared`).toBeDefined();
      expect(now!.value).toBe('');
      expect(now!.attributes.get('max-age')).toBe('0');
      expect(now!.attributes.has('domain')).toBe(false);
      // The browser replaces a cookie only with the same name, Path and Domain, and refuses a
      // prefixed one without its attributes: everything but Max-Age must match.
      const rest = (c: SetCookie) =>
        [...c.attributes].filter(([k]) => k !== 'max-age' && k !== 'expires').sort();
      expect(rest(now!)).toEqual(rest(was!));
    }
    // The refresh cookie is cleared on its own path even where it was never set.
    expect(cleared.get(names.refresh)?.attributes.get('path')).toBe(
      target.sess.cookies.refreshPath,
    );

    // Server side, the copy taken before logout is dead too.
    await expect(sessionIdOf(before)).rejects.toThrow(/answered 401/);
    expect(await liveSessionIds(target)).not.toContain(id);
  });

  it('bearer logout: the access token and the refresh credential die with it', async () => {
    const tokens = await bearerLogin(target);
    const access = tokens.accessToken ?? tokens.credential;
    const me = await bearerMe(target, access);
    expect(me.status).toBe(200);
    const out = await raw(target, 'POST', '/auth/logout', {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(out.status).toBe(200);
    expect((await bearerMe(target, access)).status).toBe(401);
    expect((await bearerRefresh(target, tokens.credential)).status).toBe(401);
    expect(await liveSessionIds(target)).not.toContain(me.body.session.id);
  });

  it('"log out other devices" kills the others (and their access tokens), keeps this one', async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const other = await bearerLogin(target);
    const otherAccess = other.accessToken ?? other.credential;
    expect((await bearerMe(target, otherAccess)).status).toBe(200);
    const reply = await client.request('POST', '/auth/logout-all', { exceptCurrent: true });
    expect(reply.status).toBe(200);
    expect(reply.body.revoked).toBeGreaterThanOrEqual(1);
    expect((await bearerMe(target, otherAccess)).status).toBe(401);
    expect((await bearerRefresh(target, other.credential)).status).toBe(401);
    expect(await sessionIdOf(client)).toBe(id);
    expect(await liveSessionIds(target)).toEqual([id]);
  });

  it("DELETE /auth/sessions/:id of another user's session: 404, and it lives on", async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const bob = await bearerLogin(target, 'bob@example.com');
    const bobAccess = bob.accessToken ?? bob.credential;
    const bobId = (await bearerMe(target, bobAccess)).body.session.id as string;
    const listed = await client.request('GET', '/auth/sessions');
    expect(listed.body.sessions.map((s: { id: string }) => s.id)).not.toContain(bobId);
    const reply = await client.request('DELETE', `/auth/sessions/${bobId}`);
    expect(reply.status).toBe(404);
    expect((await bearerMe(target, bobAccess)).status).toBe(200);
    expect(await liveSessionIds(target, 'u-bob')).toContain(bobId);
    expect(await sessionIdOf(client)).toBe(id);
  });

  it('requests touching the session while logout runs never bring it back', () =>
    logoutRace(target, strategy));

  it('"log out everywhere" racing refresh leaves nothing alive (20 rounds)', () =>
    logoutAllRace(target, strategy, 20));

  it('logout racing refresh of the same session leaves nothing of it alive (12 rounds)', () =>
    logoutAllRace(target, strategy, 12, 'logout'));

  it("revoking one device from the list kills that device's refresh and access tokens", async () => {
    const client = await victim(target);
    const id = await sessionIdOf(client);
    const device = await bearerLogin(target);
    const access = device.accessToken ?? device.credential;
    const deviceId = (await bearerMe(target, access)).body.session.id as string;
    const listed = await client.request('GET', '/auth/sessions');
    expect(listed.body.sessions.map((s: { id: string }) => s.id)).toContain(deviceId);
    const reply = await client.request('DELETE', `/auth/sessions/${deviceId}`);
    expect(reply.status).toBe(200);
    expect((await bearerMe(target, access)).status).toBe(401);
    expect((await bearerRefresh(target, device.credential)).status).toBe(401);
    expect(await sessionIdOf(client)).toBe(id);
  });

  it('"log out everywhere" clears this device\'s cookies too', async () => {
    const client = await victim(target);
    const before = cloneClient(client);
    const reply = await raw(target, 'POST', '/auth/logout-all', {
      headers: browserHeaders(client),
      body: {},
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('clear-site-data')).toContain('"cookies"');
    const names = cookieNames(target);
    const cleared = reply.setCookies.filter((c) => c.attributes.get('max-age') === '0');
    expect(cleared.map((c) => c.name).sort()).toEqual(
      [names.session, names.refresh, names.csrf].sort(),
    );
    await expect(sessionIdOf(before)).rejects.toThrow(/answered 401/);
  });
});

// The same races on every store the demo runs on: their compare-and-set and delete paths are
// what keeps a revoked session from being written back. One binding is enough here (the race is
// in core and the store); Redis and Postgres are skipped, loudly, when not reachable, unless
// SESS_REQUIRE_SERVICES=1 demands them.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.SESS_REQUIRE_SERVICES === '1';
const available = {
  memory: true,
  redis: required || (await reachable(REDIS_URL, 6379)),
  postgres: required || (await reachable(DATABASE_URL, 5432)),
};
for (const [store, ok] of Object.entries(available)) {
  if (!ok) console.warn(`logout.test.ts: ${store} is not reachable; its race cases are skipped`);
}
const STORE_ROWS = (['memory', 'redis', 'postgres'] as const).flatMap((store) =>
  STRATEGIES.map((strategy) => [store, strategy] as const),
);

describe.each(STORE_ROWS)('revocation races on the %s store: express × %s', (store, strategy) => {
  let target: Target;
  beforeAll(async () => {
    if (available[store]) target = await startTarget('express', strategy, { SESS_STORE: store });
  });
  afterAll(() => target?.close());

  it.runIf(available[store])(
    'requests touching the session while logout runs never bring it back',
    () => logoutRace(target, strategy),
  );

  it.runIf(available[store])(
    '"log out everywhere" racing refresh leaves nothing alive (20 rounds)',
    () => logoutAllRace(target, strategy, 20),
  );

  it.runIf(available[store])(
    'logout racing refresh of the same session leaves nothing of it alive (10 rounds)',
    () => logoutAllRace(target, strategy, 10, 'logout'),
  );

  it.runIf(available[store])(
    'revokeEverything racing refresh leaves nothing alive (10 rounds)',
    () => logoutAllRace(target, strategy, 10, 'everything'),
  );

  it.runIf(available[store])(
    'logout while revocation reads are in flight: nothing comes back (10 rounds)',
    () => inFlightRace(target, 10),
  );
});

/** Many requests that touch (hybrid) or renew (database) the session, with logout among them. */
async function logoutRace(target: Target, strategy: Strategy): Promise<void> {
  const client = await victim(target);
  const id = await sessionIdOf(client);
  if (strategy === 'database') {
    // Make every racing request write: an hour since login makes renewal (a rotation) due.
    for (let i = 0; i < 3; i++) {
      clock.advance(20 * MINUTE);
      expect(await sessionIdOf(client)).toBe(id);
    }
  } else {
    clock.advance(4 * MINUTE); // past the touch threshold (hybrid writes on validation)
  }
  const headers = browserHeaders(client);
  const read = (path: string) => raw(target, 'GET', path, { headers });
  const racing: Promise<RawReply>[] = [];
  for (let i = 0; i < 40; i++) {
    racing.push(read(i % 3 === 0 ? '/auth/sessions' : '/me'));
    if (i % 4 === 0) {
      racing.push(
        raw(target, 'POST', '/account/profile', { headers, body: { displayName: `n${i}` } }),
      );
    }
    if (i === 20) racing.push(raw(target, 'POST', '/auth/logout', { headers }));
  }
  const replies = await Promise.all(racing);
  expect(replies.filter((r) => r.status >= 500)).toEqual([]);

  // Every credential seen: the one sent, and any renewed one a racing response set.
  const names = cookieNames(target);
  const cookies = new Set([cookieHeader(client)]);
  for (const reply of replies) {
    for (const c of reply.setCookies) {
      if (c.name === names.session && c.value !== '') {
        cookies.add(`${names.session}=${c.value}`);
      }
    }
  }
  for (const cookie of cookies) {
    const probes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        raw(target, i % 4 === 0 ? 'POST' : 'GET', i % 4 === 0 ? '/auth/refresh' : '/me', {
          headers: { ...headers, cookie },
        }),
      ),
    );
    expect(probes.map((p) => p.status)).toEqual(Array(20).fill(401));
  }
  expect(await liveSessionIds(target)).not.toContain(id);
}

// Rounds (20+), each racing "log out everywhere" from one device against refreshes (and the
// refreshes their answers allow) on another. The clock ticks while they run, so a token issued
// after the watermark would carry a later iat: only the store-side checks can stop it.
async function logoutAllRace(
  target: Target,
  strategy: Strategy,
  rounds: number,
  revoker: 'logout-all' | 'logout' | 'everything' = 'logout-all',
): Promise<void> {
  const userId = 'u-bob';
  const names = cookieNames(target);
  for (let round = 0; round < rounds; round++) {
    clock.advance(1_500);
    const [a, b] = await Promise.all([seededVictim(target, userId), seededVictim(target, userId)]);
    const [aId, bId] = await Promise.all([
      sessionIdOf(cloneClient(a)),
      sessionIdOf(cloneClient(b)),
    ]);
    const refreshes = new Set<string>([refreshCredential(target, a)]);
    const accessTokens = new Set<string>();
    if (strategy !== 'database') accessTokens.add(a.cookies.get(names.session)!);
    const harvest = (reply: RawReply) => {
      for (const c of reply.setCookies) {
        if (c.value === '') continue;
        if (c.name === names.refresh) refreshes.add(c.value);
        if (c.name === names.session) {
          (strategy === 'database' ? refreshes : accessTokens).add(c.value);
        }
      }
      for (const field of ['refreshToken', 'sessionToken'] as const) {
        if (typeof reply.body[field] === 'string') refreshes.add(reply.body[field]);
      }
      if (typeof reply.body.accessToken === 'string') accessTokens.add(reply.body.accessToken);
      return reply;
    };
    const chain = async (start: string) => {
      // A non-browser device with the same credential: refresh, then refresh what it got.
      let credential = start;
      for (let step = 0; step < 3; step++) {
        const reply = harvest(await bearerRefresh(target, credential));
        if (reply.status !== 200) return;
        credential = (reply.body.refreshToken ?? reply.body.sessionToken) as string;
      }
    };
    // At most 20 s of clock per round, however slow the machine: tokens stay far from expiry.
    let ticked = 0;
    const ticker = setInterval(() => {
      if (ticked >= 20_000) return;
      ticked += 250;
      clock.advance(250);
    }, 1);
    try {
      const aHeaders = browserHeaders(a);
      await Promise.all([
        raw(target, 'POST', '/auth/refresh', { headers: aHeaders }).then(harvest),
        chain(refreshCredential(target, a)),
        revoker === 'everything'
          ? // The incident switch (no route in the demo), called in-process: delayed by 0-4 ms
            // so that it lands among the refreshes rather than before they reach the server.
            new Promise((resolve) => setTimeout(resolve, round % 5)).then(() =>
              target.sess.revokeEverything(),
            )
          : (revoker === 'logout-all'
              ? raw(target, 'POST', '/auth/logout-all', { headers: browserHeaders(b), body: {} })
              : raw(target, 'POST', '/auth/logout', { headers: aHeaders })
            ).then((reply) => expect(reply.status).toBe(200)),
        raw(target, 'POST', '/auth/refresh', { headers: aHeaders }).then(harvest),
        raw(target, 'GET', '/me', { headers: aHeaders }).then(harvest),
        chain(refreshCredential(target, a)),
      ]);
    } finally {
      clearInterval(ticker);
    }
    const probes = await Promise.all([
      ...[...refreshes].map((c) => bearerRefresh(target, c)),
      ...[...refreshes, ...accessTokens].map((t) => bearerMe(target, t)),
    ]);
    expect(
      probes.map((p) => p.status),
      `round ${round}`,
    ).toEqual(Array(probes.length).fill(401));
    // "Log out everywhere" ends B too; a plain logout of A leaves B exactly as it was.
    const bAfter = await bearerMe(target, b.cookies.get(names.session)!);
    const live = await liveSessionIds(target, userId);
    expect(live, `round ${round}`).not.toContain(aId);
    if (revoker !== 'logout') {
      expect(bAfter.status, `round ${round}`).toBe(401);
      expect(live, `round ${round}`).toEqual([]);
    } else {
      expect(bAfter.status, `round ${round}`).toBe(200);
      expect(live, `round ${round}`).toEqual([bId]);
      await target.sess.revoke(bId);
    }
  }
}

// Revocation answers are cached per process (5 s). When the cached answer is stale, every request
// reads through to the store; a logout landing while those reads are in flight must not be
// overwritten by their older answers (an "un-denied" session would live on for the staleness).
async function inFlightRace(target: Target, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const [client, other] = await Promise.all([seededVictim(target), seededVictim(target)]);
    const id = await sessionIdOf(client);
    expect(await sessionIdOf(other)).toBeTruthy();
    clock.advance(6_000); // every cached revocation answer is stale now
    const headers = browserHeaders(client);
    const otherHeaders = browserHeaders(other);
    const racing: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      racing.push(raw(target, 'GET', '/me', { headers }));
      if (i === 10) racing.push(raw(target, 'POST', '/auth/logout', { headers }));
      if (i === 20) {
        racing.push(
          raw(target, 'POST', '/auth/logout-all', { headers: otherHeaders, body: {} }).then(
            (reply) => expect(reply.status).toBe(200),
          ),
        );
      }
    }
    await Promise.all(racing);
    const probes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        raw(target, 'GET', '/me', { headers: i % 2 === 0 ? headers : otherHeaders }),
      ),
    );
    expect(
      probes.map((p) => p.status),
      `round ${round}`,
    ).toEqual(Array(20).fill(401));
    expect(await liveSessionIds(target), `round ${round}`).not.toContain(id);
    clock.advance(2_000);
  }
}

// Deterministic and in-process: the demo cannot hold one store reply back while another lands,
// so this builds a manager over a memory store whose revocation reads wait at a gate after the
// store answered (as a reply on a pooled Postgres connection, or from a busy Redis, can).
describe('revocation cache: a read in flight never undoes a revocation (in-process, jwt)', () => {
  const setup = () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: () => now };
    const inner = memoryStore({ clock });
    let gate: Promise<void> | null = null;
    let gated = '';
    let open = () => {};
    const held = async <T>(method: string, answer: T): Promise<T> => {
      if (gate && gated === method) await gate;
      return answer;
    };
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'isDenied') {
          return async (key: string) => held(prop, await target.isDenied(key));
        }
        if (prop === 'getNotBefore') {
          return async (userId: string) => held(prop, await target.getNotBefore(userId));
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as SessionStore;
    const sess = createSessionManager({
      store,
      strategy: 'jwt',
      clock,
      secret: randomBytes(32).toString('base64url'),
      jwt: {
        keys: [{ kid: 'k', alg: 'HS256', secret: randomBytes(32).toString('base64url') }],
        issuer: 'https://issuer.example',
        audience: 'https://api.example',
      },
    });
    return {
      sess,
      advance: (ms: number) => {
        now += ms;
      },
      /** Replies of `method` that the store has answered wait until `release`. */
      hold: (method: 'isDenied' | 'getNotBefore') => {
        gated = method;
        gate = new Promise<void>((resolve) => {
          open = resolve;
        });
      },
      release: () => {
        gate = null;
        open();
      },
    };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('logout (deny-list) while a deny-list read is in flight', async () => {
    const { sess, advance, hold, release } = setup();
    const issued = await sess.create('u-1');
    await sess.validate(issued.accessToken);
    advance(6_000); // the cached "not denied" answer is stale: the next request reads through
    hold('isDenied');
    const inflight = sess.validate(issued.accessToken).catch((error: unknown) => error);
    await settle();
    await sess.revoke(issued.session.id);
    release();
    await inflight; // issued before the revocation: either answer is fine for it
    await expect(sess.validate(issued.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
  });

  it('"log out everywhere" (watermark) while a watermark read is in flight', async () => {
    const { sess, advance, hold, release } = setup();
    const issued = await sess.create('u-1');
    await sess.validate(issued.accessToken);
    advance(6_000);
    hold('getNotBefore');
    const inflight = sess.validate(issued.accessToken).catch((error: unknown) => error);
    await settle();
    advance(1_000); // the watermark is strictly after the token's iat
    await sess.revokeAllForUser('u-1');
    release();
    await inflight;
    await expect(sess.validate(issued.accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_REVOKED',
    });
  });
});
