import { randomBytes } from 'node:crypto';
import type { Strategy } from '@sess/core';
import { describe, expect, it } from 'vitest';
import { Actor, type ClientMode, Replay } from '../../src/guarantees/actor.ts';
import { type Overrides, startGuaranteeApp, TIMING, USERS } from '../../src/guarantees/app.ts';
import { type Cell, inCell, rows } from '../../src/guarantees/matrix.ts';
import { accessToken } from '../../src/guarantees/tokens.ts';
import type { Exchange } from '../../src/guarantees/wire.ts';

const BROWSER: readonly ClientMode[] = ['raw', 'cookie'];
const TOKENS: readonly Strategy[] = ['jwt', 'hybrid'];
const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The refresh credential of an actor: the session credential in database, else the refresh token. */
function refreshCredential(cell: Cell, actor: Actor): string {
  const { names } = cell.app.sess.cookies;
  const database = cell.app.strategy === 'database';
  if (actor.mode === 'bearer') {
    return (database ? actor.wire.tokens.sessionToken : actor.wire.tokens.refreshToken) ?? '';
  }
  return actor.wire.cookie(database ? names.session : names.refresh) ?? '';
}

/** Logs in and returns the actor with its session id. */
async function loggedIn(cell: Cell): Promise<{ actor: Actor; sessionId: string }> {
  const actor = cell.actor();
  expect((await actor.login()).status).toBe(200);
  return { actor, sessionId: await actor.sessionId() };
}

/** `GET /me` with nothing but this bearer token. */
async function bearerMe(cell: Cell, token: string): Promise<Exchange> {
  const probe = new Actor(cell.app, 'bearer');
  probe.wire.tokens.accessToken = token;
  return new Replay(probe, probe.wire.device).send('GET', '/me');
}

interface ThreatCell {
  /** The cell's name. */
  readonly name: string;
  /** The start of its row in the threats table of docs/security-model.md. */
  readonly threat: string;
  /** Where it cannot apply, and why (one line). */
  readonly strategies?: readonly Strategy[];
  readonly modes?: readonly ClientMode[];
  readonly overrides?: (strategy: Strategy) => Overrides;
  run(cell: Cell): Promise<void>;
}

// The threats table of docs/security-model.md, one cell per row that the other families do not
// already cover (coverage.test.ts checks every row is somewhere).
const THREATS: readonly ThreatCell[] = [
  {
    name: 'credentials are 128-bit ids and 256-bit secrets; a wrong secret is refused',
    threat: 'Guessing a session token',
    async run(cell) {
      const { actor, sessionId } = await loggedIn(cell);
      const credential = refreshCredential(cell, actor);
      expect(credential).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      expect(credential.split('.')[0]).toBe(sessionId);
      const guess = `${sessionId}.${b64(32)}`;
      const me = await bearerMe(cell, guess);
      expect([me.status, me.code]).toEqual([401, 'ERR_SESS_INVALID_CREDENTIAL']);
      const thief = new Actor(cell.app, 'bearer');
      const field = cell.app.strategy === 'database' ? 'sessionToken' : 'refreshToken';
      thief.wire.tokens[field] = guess;
      const refresh = await new Replay(thief, thief.wire.device).send('POST', '/auth/refresh');
      expect([refresh.status, refresh.code]).toEqual([401, 'ERR_SESS_INVALID_CREDENTIAL']);
      expect((await actor.use()).status).toBe(200);
    },
  },
  {
    name: 'the store holds hashes, never a usable secret',
    threat: 'A leaked database or backup',
    async run(cell) {
      const { actor, sessionId } = await loggedIn(cell);
      const secret = refreshCredential(cell, actor).split('.')[1]!;
      const record = await cell.app.store.get(sessionId);
      expect(record).not.toBeNull();
      expect(JSON.stringify(record)).not.toContain(secret);
    },
  },
  {
    name: 'HttpOnly cookies; a copied cookie collides with the real one at renewal',
    threat: 'A stolen session cookie',
    // Renewal is the database strategy's rotation; jwt and hybrid rotate at refresh, which the
    // "refresh reuse" revocation cells cover.
    strategies: ['database'],
    modes: BROWSER,
    overrides: () => ({ sessions: { standard: { renewalInterval: '20m' } } }),
    async run(cell) {
      const { actor } = await loggedIn(cell);
      for (const line of actor.wire.log.flatMap((e) => e.setCookies)) {
        expect(line.attributes.get('httponly'), line.name).toBe(true);
      }
      const thief = new Replay(actor, { userAgent: 'thief/1', ip: '203.0.113.7' });
      const copied = refreshCredential(cell, actor);
      while (refreshCredential(cell, actor) === copied) {
        await cell.app.clock.advance(TIMING.idleMs / 4);
        expect((await actor.use()).status).toBe(200);
      }
      await cell.app.clock.advance(11_000);
      expect((await thief.send('GET', '/me')).status).toBe(401);
      expect(cell.emitted('refresh.reused').length).toBe(1);
      expect((await actor.request('GET', '/me')).status).toBe(401);
    },
  },
  {
    name: 'the refresh cookie goes only to the refresh route; refresh tokens only in refresh bodies',
    threat: 'A stolen refresh token',
    // The database strategy has no refresh token apart from the session credential.
    strategies: TOKENS,
    async run(cell) {
      const { actor } = await loggedIn(cell);
      await cell.app.clock.advance(TIMING.accessTtlMs + TIMING.skewMs);
      expect((await actor.use()).status).toBe(200);
      const { names, refreshPath } = cell.app.sess.cookies;
      for (const e of actor.wire.log) {
        const sent = `${e.sent.get('cookie') ?? ''} ${e.sent.get('authorization') ?? ''}`;
        if (e.path !== refreshPath) {
          expect(sent, `${e.method} ${e.path}`).not.toContain(`${names.refresh}=`);
          const token = actor.wire.tokens.refreshToken;
          if (token) expect(sent, `${e.method} ${e.path}`).not.toContain(token);
        }
        for (const c of e.setCookies.filter((s) => s.name === names.refresh)) {
          expect(c.attributes.get('path')).toBe(refreshPath);
        }
      }
      expect(actor.wire.exchanges(refreshPath).length).toBeGreaterThan(0);
    },
  },
  {
    name: 'a copied access token dies at its exp (and clockSkew), while the owner refreshes',
    threat: 'A stolen access token',
    // The database strategy has no access tokens.
    strategies: TOKENS,
    async run(cell) {
      const { actor } = await loggedIn(cell);
      const token =
        actor.mode === 'bearer'
          ? actor.wire.tokens.accessToken!
          : actor.wire.cookie(cell.app.sess.cookies.names.session)!;
      expect((await bearerMe(cell, token)).status).toBe(200);
      await cell.app.clock.advance(TIMING.accessTtlMs + TIMING.skewMs + 1000);
      const late = await bearerMe(cell, token);
      expect([late.status, late.code]).toEqual([401, 'ERR_SESS_EXPIRED']);
      expect((await actor.use()).status).toBe(200);
    },
  },
  {
    name: 'requireFresh refuses an old sign-in; signing in again restores it',
    threat: 'A sensitive action from an old or hijacked session',
    async run(cell) {
      const { actor } = await loggedIn(cell);
      expect((await actor.request('POST', '/account/sensitive', {})).status).toBe(200);
      while (cell.app.clock.now() - actor.wire.log[0]!.at <= TIMING.freshMs) {
        await cell.app.clock.advance(TIMING.idleMs / 4);
        expect((await actor.use()).status).toBe(200);
      }
      const stale = await actor.request('POST', '/account/sensitive', {});
      expect([stale.status, stale.code]).toEqual([401, 'ERR_SESS_NOT_FRESH']);
      expect((await actor.login()).status).toBe(200);
      expect((await actor.request('POST', '/account/sensitive', {})).status).toBe(200);
    },
  },
  {
    name: 'a forged cookie-riding request is refused; the app’s own goes through',
    threat: 'Cross-site request forgery',
    async run(cell) {
      const { actor } = await loggedIn(cell);
      expect((await actor.request('POST', '/account/profile', { n: 1 })).status).toBe(200);
      if (actor.mode === 'bearer') return; // no ambient credential: nothing to forge
      const forged = new Replay(actor, actor.wire.device);
      forged.wire.csrfToken = null;
      const attempts: Record<string, string>[] = [
        {}, // no token
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'x-csrf-token': b64(32) },
      ];
      for (const headers of attempts) {
        const cookie = actor.wire.cookieHeader('/account/profile');
        const res = await fetch(new URL('/account/profile', cell.app.url), {
          method: 'POST',
          headers: { origin: cell.app.url, cookie, 'content-type': 'application/json', ...headers },
          body: '{}',
        });
        const body = (await res.json()) as { error?: { code?: string } };
        expect([res.status, body.error?.code], JSON.stringify(headers)).toEqual([
          403,
          'ERR_SESS_CSRF',
        ]);
      }
      expect(cell.emitted('csrf.rejected').length).toBe(attempts.length);
    },
  },
  {
    name: 'a browser login without the pre-session token is refused',
    threat: 'Login CSRF',
    async run(cell) {
      const body = JSON.stringify({ email: USERS.alice.email, password: USERS.alice.password });
      if (cell.mode === 'bearer') {
        // A non-browser client has no cookies to ride on: it needs no token.
        expect((await cell.actor().login()).status).toBe(200);
        return;
      }
      for (const origin of [cell.app.url, 'https://evil.example']) {
        const res = await fetch(new URL('/auth/login', cell.app.url), {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body,
        });
        expect(res.status, origin).toBe(403);
      }
      expect(await cell.app.sess.list(USERS.alice.id)).toEqual([]);
      expect((await cell.actor().login()).status).toBe(200);
    },
  },
  {
    name: '__Host- and __Secure- names; a cookie sent twice is treated as absent',
    threat: 'Cookie tossing from a sibling subdomain',
    // Bearer clients send no cookies.
    modes: BROWSER,
    async run(cell) {
      const { actor } = await loggedIn(cell);
      const { names } = cell.app.sess.cookies;
      expect(names.session).toMatch(/^__Host-/);
      expect(names.csrf).toMatch(/^__Host-/);
      expect(names.refresh).toMatch(/^__Secure-/);
      const cookie = actor.wire.cookieHeader('/me');
      const tossed = `${cookie}; ${names.session}=${b64(16)}.${b64(32)}`;
      const res = await fetch(new URL('/me', cell.app.url), { headers: { cookie: tossed } });
      expect(res.status).toBe(401);
      expect((await actor.use()).status).toBe(200);
    },
  },
  {
    name: 'every Set-Cookie stays under 4096 bytes; a token too large is never issued',
    threat: 'A cookie silently dropped for size',
    overrides: (strategy): Overrides =>
      strategy === 'database'
        ? {}
        : {
            jwt: {
              customClaims: ['blob'],
              claims: (s): Record<string, string> => (s.data.big ? { blob: 'x'.repeat(5000) } : {}),
            },
          },
    async run(cell) {
      const { actor, sessionId } = await loggedIn(cell);
      for (const c of actor.wire.log.flatMap((e) => e.setCookies)) {
        expect(new TextEncoder().encode(c.line).length, c.name).toBeLessThanOrEqual(4096);
      }
      if (cell.app.strategy === 'database') return; // fixed-size credentials only
      const session = (await cell.app.sess.list(USERS.alice.id)).find((s) => s.id === sessionId)!;
      await cell.app.sess.update(session, { big: true });
      const since = actor.wire.log.length;
      const refresh = await actor.refresh();
      expect(refresh?.status).not.toBe(200);
      for (const e of actor.wire.log.slice(since)) {
        expect(e.setCookies.filter((c) => c.value !== '').map((c) => c.name)).toEqual([]);
      }
    },
  },
  {
    name: 'alg none, a foreign key, jku, a wrong typ or audience: all refused',
    threat: 'Forged access tokens',
    // Database sessions carry no self-contained token.
    strategies: TOKENS,
    modes: ['bearer'],
    async run(cell) {
      const { sessionId } = await loggedIn(cell);
      const subject = { userId: USERS.alice.id, sessionId };
      expect((await bearerMe(cell, await accessToken(cell.app, subject))).status).toBe(200);
      const forgeries = [
        { unsigned: true },
        { key: b64(32) },
        { key: b64(32), header: { jku: 'https://evil.example/jwks.json' } },
        { header: { typ: 'JWT' } },
        { claims: { aud: 'https://other.example' } },
        { claims: { iss: 'https://other.example' } },
      ];
      for (const forgery of forgeries) {
        const res = await bearerMe(cell, await accessToken(cell.app, subject, forgery));
        expect(res.status, JSON.stringify(forgery)).toBe(401);
      }
    },
  },
  {
    name: 'expired, not yet issued, or longer-lived than configured: refused',
    threat: 'A token used after its lifetime, or before it was issued',
    strategies: TOKENS,
    modes: ['bearer'],
    async run(cell) {
      const { sessionId } = await loggedIn(cell);
      const subject = { userId: USERS.alice.id, sessionId };
      const now = Math.floor(cell.app.clock.now() / 1000);
      const skew = TIMING.skewMs / 1000;
      const cases = [
        { iat: now - 600, exp: now - skew - 1 },
        { iat: now + skew + 60, exp: now + skew + 120 },
        { iat: now, exp: now + TIMING.accessTtlMs / 1000 + 3600 },
      ];
      for (const claims of cases) {
        const res = await bearerMe(cell, await accessToken(cell.app, subject, { claims }));
        expect(res.status, JSON.stringify(claims)).toBe(401);
        expect(res.code).not.toBe(null);
      }
    },
  },
  {
    name: 'a refresh credential is not an access token',
    threat: 'A token used for the wrong purpose or service',
    strategies: TOKENS,
    async run(cell) {
      const { actor } = await loggedIn(cell);
      const res = await bearerMe(cell, refreshCredential(cell, actor));
      expect(res.status).toBe(401);
    },
  },
  {
    name: 'parallel refreshes with one credential converge on one successor',
    threat: 'Refresh races mistaken for theft, or forking sessions',
    async run(cell) {
      const { actor } = await loggedIn(cell);
      if (actor.client !== null && actor.mode === 'cookie') {
        const results = await Promise.all(Array.from({ length: 5 }, () => actor.client!.refresh()));
        expect(results).toEqual([true, true, true, true, true]);
        expect(actor.wire.exchanges('/auth/refresh').length).toBe(1);
        expect((await actor.use()).status).toBe(200);
        return;
      }
      const racers = Array.from({ length: 5 }, () => new Replay(actor, actor.wire.device));
      const answers = await Promise.all(racers.map((r) => r.send('POST', '/auth/refresh')));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      const successors = new Set(answers.map((a) => refreshCredentialIn(cell, a)));
      expect(successors.size).toBe(1);
      expect(cell.emitted('refresh.reused')).toEqual([]);
    },
  },
  {
    name: 'a second instance on the same store honours a revocation at once',
    threat: 'A revocation missed by another instance',
    async run(cell) {
      const { actor } = await loggedIn(cell);
      const second = await startGuaranteeApp({ strategy: cell.app.strategy, sharedWith: cell.app });
      try {
        const probe = new Replay(actor, actor.wire.device);
        const onSecond = (path: string) =>
          probe.wire.fetch(new URL(path, second.url), {
            headers:
              actor.mode === 'bearer'
                ? { authorization: `Bearer ${actor.credential()}` }
                : { cookie: actor.wire.cookieHeader(path) },
          });
        expect((await onSecond('/me')).status).toBe(200);
        expect((await actor.request('POST', '/auth/logout')).status).toBe(200);
        expect((await onSecond('/me')).status).toBe(401);
      } finally {
        await second.close();
      }
    },
  },
  {
    name: 'a store outage is a 503 with Retry-After, never a sign-out',
    threat: 'A store outage read as "signed out", or as a pass',
    async run(cell) {
      const { actor } = await loggedIn(cell);
      cell.app.store.fail = true;
      const probe = new Replay(actor, actor.wire.device);
      const refresh = await probe.send('POST', '/auth/refresh');
      expect([refresh.status, refresh.code]).toEqual([503, 'ERR_SESS_STORE']);
      expect(refresh.headers.get('retry-after')).not.toBeNull();
      const me = await probe.send('GET', '/me');
      // jwt answers from its keys and its revocation cache while that is fresh.
      expect(cell.app.strategy === 'jwt' ? [200, 503] : [503]).toContain(me.status);
      if (actor.client !== null) {
        expect(await actor.client.refresh()).toBe(false);
        expect(actor.events.filter((e) => e.name !== 'refreshed')).toEqual([]);
      }
      cell.app.store.fail = false;
      expect((await actor.use()).status).toBe(200);
    },
  },
  {
    name: 'no token or secret in a URL, a log line, an event or an error body',
    threat: 'Tokens in logs, URLs or error messages',
    async run(cell) {
      const { actor } = await loggedIn(cell);
      await cell.app.clock.advance(TIMING.accessTtlMs);
      await actor.use();
      await actor.refresh();
      await new Replay(actor, actor.wire.device).send('GET', '/me');
      await actor.request('POST', '/auth/logout');
      await new Replay(actor, actor.wire.device).send('POST', '/auth/refresh');
      const secrets = new Set<string>();
      for (const e of actor.wire.log) {
        for (const c of e.setCookies) if (c.value.length > 20) secrets.add(c.value);
        for (const key of ['accessToken', 'refreshToken', 'sessionToken'] as const) {
          if (typeof e.body[key] === 'string') secrets.add(e.body[key]);
        }
      }
      expect(secrets.size).toBeGreaterThan(0);
      const events = JSON.stringify(cell.events);
      const logs = cell.app.logs.join('\n');
      for (const secret of secrets) {
        const part =
          secret.includes('.') && secret.split('.').length === 2 ? secret.split('.')[1]! : secret;
        expect(events).not.toContain(part);
        expect(logs).not.toContain(part);
        for (const e of actor.wire.log) {
          expect(e.path).not.toContain(part);
          if (e.status >= 400) expect(JSON.stringify(e.body)).not.toContain(part);
        }
      }
    },
  },
  {
    name: 'POST /auth/logout answers 200 from any page, even without a session',
    threat: 'ASVS 7.4.4: logout ready on every page',
    async run(cell) {
      const stranger = cell.actor();
      await stranger.prepare();
      expect((await stranger.request('POST', '/auth/logout')).status).toBe(200);
      const { actor } = await loggedIn(cell);
      expect((await actor.request('POST', '/auth/logout')).status).toBe(200);
      // Once more, from the login form the page shows next (with its pre-session token).
      if (actor.mode === 'raw') await actor.prepare();
      expect((await actor.request('POST', '/auth/logout')).status).toBe(200);
    },
  },
  {
    name: 'nothing but a login creates a session',
    threat: 'ASVS 7.6.2: sessions only from an explicit login',
    async run(cell) {
      const visitor = cell.actor();
      await visitor.prepare();
      await visitor.request('GET', '/me');
      await visitor.request('POST', '/auth/refresh');
      await visitor.request('POST', '/account/profile', {});
      const failed = await visitor.request('POST', '/auth/login', {
        email: USERS.alice.email,
        password: 'wrong-password',
      });
      expect(failed.status).toBe(401);
      expect(cell.emitted('session.created')).toEqual([]);
      expect(await cell.app.sess.list(USERS.alice.id)).toEqual([]);
    },
  },
];

/** The refresh credential an answer issued (cookie or body). */
function refreshCredentialIn(cell: Cell, answer: Exchange): string | undefined {
  const { names } = cell.app.sess.cookies;
  const name = cell.app.strategy === 'database' ? names.session : names.refresh;
  return (
    answer.setCookies.find((c) => c.name === name)?.value ??
    answer.body.sessionToken ??
    answer.body.refreshToken
  );
}

const CELLS = THREATS.flatMap((threat) =>
  rows([{ threat }], {
    ...(threat.strategies ? { strategies: threat.strategies } : {}),
    ...(threat.modes ? { modes: threat.modes } : {}),
  }),
);

describe.each(CELLS)('threat: $threat.threat × $strategy × $mode', ({ threat, ...row }) => {
  it(threat.name, () => inCell(row, threat.overrides?.(row.strategy), (cell) => threat.run(cell)));
});
