import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserHeaders,
  cookieHeader,
  cookieNames,
  errorCode,
  liveSessionIds,
  type RawReply,
  raw,
  seededVictim,
} from '../../src/attacks/http.ts';
import { type DemoClient, MATRIX, startTarget, type Target } from '../../src/target.ts';

/** What every forged request tries to write; no legitimate request in this file uses it. */
const PWNED = 'pwned';
const EVIL = 'https://evil.example';

describe.each(MATRIX)('CSRF: %s × %s', (framework, strategy) => {
  let target: Target;
  let port: string;
  beforeAll(async () => {
    target = await startTarget(framework, strategy);
    port = new URL(target.url).port;
  });
  afterAll(() => target?.close());

  /**
   * A logged-in browser: the session is created through the manager (no scrypt per victim, and
   * this file needs many), then the page fetches its CSRF token over HTTP as the real page does.
   */
  const fresh = async (userId = 'u-alice') => {
    const client = await seededVictim(target, userId);
    client.csrfToken = '';
    const token = await client.request('GET', '/auth/csrf');
    expect(token.status).toBe(200);
    const me = await client.request('GET', '/me');
    expect(me.status).toBe(200);
    return { client, id: me.body.session.id as string };
  };

  /** A forged POST /account/profile from the victim's browser; `null` removes a header. */
  const forge = (
    client: DemoClient,
    options: {
      method?: string;
      path?: string;
      headers?: Record<string, string | null>;
      body?: unknown;
    } = {},
  ): Promise<RawReply> => {
    const headers: Record<string, string> = browserHeaders(client);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
    return raw(target, options.method ?? 'POST', options.path ?? '/account/profile', {
      headers,
      body: 'body' in options ? options.body : { displayName: PWNED },
    });
  };

  /** 403 ERR_SESS_CSRF, and the oracle: same session, nothing written. */
  const refused = async (reply: RawReply, client: DemoClient, id: string, status = 403) => {
    expect(reply.status).toBe(status);
    if (status === 403) expect(errorCode(reply)).toBe('ERR_SESS_CSRF');
    await unchanged(client, id);
  };
  const unchanged = async (client: DemoClient, id: string) => {
    const me = await client.request('GET', '/me');
    expect(me.status).toBe(200);
    expect(me.body.session.id).toBe(id);
    expect(me.body.user.displayName).not.toBe(PWNED);
  };

  it('control: the page itself (trusted Origin, session token) may write', async () => {
    const { client } = await fresh();
    const ok = await forge(client, { body: { displayName: 'legit' } });
    expect(ok.status).toBe(200);
    expect(ok.body.user.displayName).toBe('legit');
  });

  describe('tokens (PortSwigger lab variants)', () => {
    it('no token at all', async () => {
      const { client, id } = await fresh();
      await refused(await forge(client, { headers: { 'x-csrf-token': null } }), client, id);
      await refused(await forge(client, { headers: { 'x-csrf-token': '' } }), client, id);
    });

    it("a token from the attacker's own session (another user)", async () => {
      const { client, id } = await fresh();
      const attacker = await fresh('u-bob');
      const reply = await forge(client, { headers: { 'x-csrf-token': attacker.client.csrfToken } });
      await refused(reply, client, id);
    });

    it('a token from another session of the same user', async () => {
      const { client, id } = await fresh();
      const other = await fresh();
      const reply = await forge(client, { headers: { 'x-csrf-token': other.client.csrfToken } });
      await refused(reply, client, id);
    });

    it('a token merely duplicated in a cookie (forged double submit)', async () => {
      const { client, id } = await fresh();
      const attacker = await fresh('u-bob');
      const csrfName = cookieNames(target).csrf;
      for (const value of ['forged-token-value', attacker.client.csrfToken]) {
        const reply = await forge(client, {
          headers: {
            cookie: `${cookieHeader(client)}; ${csrfName}=${value}`,
            'x-csrf-token': value,
          },
        });
        await refused(reply, client, id);
      }
    });

    it("a token tied to the attacker's pre-session cookie", async () => {
      const { client, id } = await fresh();
      const pre = await raw(target, 'GET', '/auth/csrf', { headers: { origin: target.url } });
      const cookie = pre.setCookies.find((c) => c.name === cookieNames(target).csrf)!;
      const reply = await forge(client, {
        headers: {
          cookie: `${cookieHeader(client)}; ${cookie.name}=${cookie.value}`,
          'x-csrf-token': pre.body.csrfToken,
        },
      });
      await refused(reply, client, id);
    });

    it('a valid token in the JSON body or the query string is not read (header or form only)', async () => {
      const { client, id } = await fresh();
      const token = client.csrfToken;
      await refused(
        await forge(client, {
          headers: { 'x-csrf-token': null },
          body: { displayName: PWNED, _csrf: token },
        }),
        client,
        id,
      );
      await refused(
        await forge(client, {
          path: `/account/profile?_csrf=${encodeURIComponent(token)}`,
          headers: { 'x-csrf-token': null },
        }),
        client,
        id,
      );
    });

    it('a form field: a valid `_csrf` passes the check, a wrong one is refused', async () => {
      const { client, id } = await fresh();
      const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': null };
      const good = await forge(client, {
        headers: form,
        body: `displayName=form-post&_csrf=${encodeURIComponent(client.csrfToken)}`,
      });
      // Past CSRF. (Koa's binding keeps the form it read where the route finds it, so there the
      // form writes; express and hono routes read JSON only and answer 400.)
      expect(good.status).not.toBe(403);
      await unchanged(client, id);
      const bad = await forge(client, {
        headers: form,
        body: `displayName=${PWNED}&_csrf=${encodeURIComponent(client.csrfToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')))}`,
      });
      await refused(bad, client, id);
    });
  });

  describe('methods', () => {
    it('GET instead of POST changes nothing', async () => {
      const { client, id } = await fresh();
      const before = await liveSessionIds(target);
      for (const path of [
        `/account/profile?displayName=${PWNED}`,
        '/auth/logout',
        '/auth/logout-all',
        `/auth/sessions/${id}`,
      ]) {
        const reply = await forge(client, { method: 'GET', path, body: undefined });
        expect(reply.status, path).not.toBe(200);
        expect(reply.headers.getSetCookie().filter((c) => /max-age=0/i.test(c))).toEqual([]);
      }
      const head = await forge(client, { method: 'HEAD', path: '/auth/logout', body: undefined });
      expect(head.status).not.toBe(200);
      await unchanged(client, id);
      expect(await liveSessionIds(target)).toEqual(expect.arrayContaining(before));
    });

    it('method override (`X-HTTP-Method-Override`, `_method`) never makes a POST safe', async () => {
      const { client, id } = await fresh();
      for (const header of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
        const reply = await forge(client, { headers: { [header]: 'GET', 'x-csrf-token': null } });
        await refused(reply, client, id);
      }
      await refused(
        await forge(client, {
          path: '/account/profile?_method=GET',
          headers: { 'x-csrf-token': null },
        }),
        client,
        id,
      );
      await refused(
        await forge(client, {
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': null },
          body: `_method=GET&displayName=${PWNED}`,
        }),
        client,
        id,
      );
      // An unsafe verb smuggled as an override of a POST: DELETE of another device.
      const other = await fresh();
      const smuggled = await forge(client, {
        path: `/auth/sessions/${other.id}`,
        headers: { 'x-http-method-override': 'DELETE', 'x-csrf-token': null },
      });
      expect(smuggled.status).not.toBe(200);
      const deleted = await forge(client, {
        method: 'DELETE',
        path: `/auth/sessions/${other.id}`,
        headers: { 'x-csrf-token': null },
        body: undefined,
      });
      await refused(deleted, client, id);
      expect(await liveSessionIds(target)).toContain(other.id);
    });
  });

  describe('cookie tossing', () => {
    it('two session cookies in one header are refused, in either order', async () => {
      const { client, id } = await fresh();
      const attacker = await fresh('u-bob');
      const name = cookieNames(target).session;
      const mine = client.cookies.get(name)!;
      const theirs = attacker.client.cookies.get(name)!;
      for (const cookie of [
        `${name}=${theirs}; ${name}=${mine}`,
        `${name}=${mine}; ${name}=${theirs}`,
        `${name}=${mine}; ${name}=`,
      ]) {
        const reply = await forge(client, { headers: { cookie } });
        await refused(reply, client, id);
      }
      await unchanged(attacker.client, attacker.id);
    });

    it('two CSRF cookies, or (jwt, hybrid) two refresh cookies, are refused', async () => {
      const { client, id } = await fresh();
      const names = cookieNames(target);
      const pre = await raw(target, 'GET', '/auth/csrf', { headers: { origin: target.url } });
      const preValue = pre.setCookies.find((c) => c.name === names.csrf)!.value;
      const twoCsrf = `${cookieHeader(client)}; ${names.csrf}=${preValue}; ${names.csrf}=x${preValue}`;
      await refused(await forge(client, { headers: { cookie: twoCsrf } }), client, id);
      if (strategy !== 'database') {
        const attacker = await fresh('u-bob');
        const two = `${cookieHeader(client)}; ${names.refresh}=${attacker.client.cookies.get(names.refresh)}`;
        const reply = await forge(client, { path: '/auth/refresh', headers: { cookie: two } });
        await refused(reply, client, id);
      }
    });
  });

  describe('login CSRF', () => {
    const credentials = { email: 'bob@example.com', password: 'bob-password-1' };
    const preSession = async () => {
      const pre = await raw(target, 'GET', '/auth/csrf', { headers: { origin: target.url } });
      const cookie = pre.setCookies.find((c) => c.name === cookieNames(target).csrf)!;
      return { cookie: `${cookie.name}=${cookie.value}`, token: pre.body.csrfToken as string };
    };
    const login = (headers: Record<string, string>) =>
      raw(target, 'POST', '/auth/login', { headers, body: credentials });
    const noSession = (reply: RawReply) => {
      expect(reply.status).toBe(403);
      expect(errorCode(reply)).toBe('ERR_SESS_CSRF');
      const session = cookieNames(target).session;
      expect(reply.setCookies.filter((c) => c.name === session && c.value !== '')).toEqual([]);
    };

    it('without a valid pre-session token, or from an untrusted origin: 403, no session', async () => {
      const attacker = await preSession();
      const victimPre = await preSession();
      noSession(await login({ origin: target.url }));
      noSession(await login({ origin: target.url, cookie: victimPre.cookie }));
      // The attacker's token with the victim's pre-session cookie.
      noSession(
        await login({
          origin: target.url,
          cookie: victimPre.cookie,
          'x-csrf-token': attacker.token,
        }),
      );
      // A token without its cookie.
      noSession(await login({ origin: target.url, 'x-csrf-token': attacker.token }));
      // A complete pair, but from elsewhere.
      const pair = { cookie: attacker.cookie, 'x-csrf-token': attacker.token };
      noSession(await login({ ...pair, origin: EVIL }));
      noSession(await login({ ...pair, origin: 'null' }));
      noSession(await login({ ...pair, origin: target.url, 'sec-fetch-site': 'cross-site' }));
      noSession(await login({ ...pair, referer: `${EVIL}/login` }));
      // Cookie tossing: the attacker's pre-session cookie next to the victim's, with its token.
      noSession(
        await login({
          origin: target.url,
          cookie: `${attacker.cookie}; ${victimPre.cookie}`,
          'x-csrf-token': attacker.token,
        }),
      );
      // Control: the same pair from the page logs in.
      const ok = await login({ ...pair, origin: target.url });
      expect(ok.status).toBe(200);
    });

    it("a cross-site login into the attacker's account is refused while the victim is logged in", async () => {
      const { client, id } = await fresh();
      const reply = await forge(client, {
        path: '/auth/login',
        headers: { origin: EVIL, 'sec-fetch-site': 'cross-site' },
        body: credentials,
      });
      await refused(reply, client, id);
      const me = await client.request('GET', '/me');
      expect(me.body.user.id).toBe('u-alice');
    });
  });

  describe('forced logout', () => {
    it('a cross-site POST /auth/logout, /auth/logout-all or DELETE of a device: 403, session intact', async () => {
      const { client, id } = await fresh();
      const other = await fresh();
      const variants: Array<Record<string, string | null>> = [
        { origin: EVIL, 'x-csrf-token': null },
        { origin: EVIL },
        { 'sec-fetch-site': 'cross-site' },
        { origin: null, 'x-csrf-token': null },
        { origin: null, referer: `${EVIL}/`, 'x-csrf-token': null },
      ];
      for (const headers of variants) {
        for (const [method, path] of [
          ['POST', '/auth/logout'],
          ['POST', '/auth/logout-all'],
          ['POST', '/auth/refresh'],
          ['DELETE', `/auth/sessions/${other.id}`],
        ] as const) {
          const reply = await forge(client, { method, path, headers, body: {} });
          expect(reply.headers.getSetCookie().filter((c) => /max-age=0/i.test(c))).toEqual([]);
          await refused(reply, client, id);
        }
      }
      expect(await liveSessionIds(target)).toEqual(expect.arrayContaining([id, other.id]));
    });
  });

  describe('Origin', () => {
    it('`Origin: null` is refused, even with a valid token', async () => {
      const { client, id } = await fresh();
      await refused(await forge(client, { headers: { origin: 'null' } }), client, id);
    });

    // Each with the victim's valid token: only the Origin check stands in the way.
    const lookalikes: Array<[string, (port: string) => string]> = [
      ['port as a subdomain', (p) => `http://localhost:${p}.evil.com`],
      ['host as a subdomain', (p) => `http://localhost.evil.com:${p}`],
      ['another port', (p) => `http://localhost:${Number(p) + 1}`],
      ['https instead of http', (p) => `https://localhost:${p}`],
      ['trailing dot', (p) => `http://localhost.:${p}`],
      ['127.0.0.1 for localhost', (p) => `http://127.0.0.1:${p}`],
      ['a subdomain of the host', (p) => `http://evil.localhost:${p}`],
      ['userinfo', (p) => `http://localhost:${p}@evil.com`],
      ['trusted origin as a fragment', (p) => `http://evil.com#http://localhost:${p}`],
      ['trusted origin with a path', (p) => `http://localhost:${p}/evil`],
      ['two origins', (p) => `http://localhost:${p} http://evil.com`],
      ['two origins, comma', (p) => `http://localhost:${p}, http://evil.com`],
      ['uppercase lookalike', (p) => `HTTP://LOCALHOST:${p}.EVIL.COM`],
      ['no port', () => 'http://localhost'],
      ['wildcard', () => '*'],
    ];
    it.each(lookalikes)('lookalike origin refused: %s', async (_name, origin) => {
      const { client, id } = await fresh();
      await refused(await forge(client, { headers: { origin: origin(port) } }), client, id);
    });

    // RFC 6454: scheme and host are case-insensitive and a trailing '/' is no path, so these are
    // the trusted origin itself, and docs/csrf.md says it is normalised before the exact match.
    it('the trusted origin in upper case or with one trailing slash is the same origin', async () => {
      const { client } = await fresh();
      for (const origin of [`HTTP://LOCALHOST:${port}`, `http://localhost:${port}/`]) {
        const reply = await forge(client, { headers: { origin }, body: { displayName: 'same' } });
        expect(reply.status, origin).toBe(200);
      }
    });

    it('Referer without Origin: cross-site, or the trusted origin hidden in an evil URL, is refused', async () => {
      const { client, id } = await fresh();
      const trusted = target.url;
      for (const referer of [
        `${EVIL}/page`,
        `${EVIL}/${trusted}/`,
        `${EVIL}/?next=${trusted}`,
        `${EVIL}/#${trusted}`,
        `http://localhost:${port}.evil.com/`,
        `http://localhost:${port}@evil.com/`,
        `https://localhost:${port}/`,
        'null',
        'not a url',
      ]) {
        const reply = await forge(client, { headers: { origin: null, referer } });
        await refused(reply, client, id);
      }
      // Neither Origin nor Referer: refused too (allowMissingOrigin is off).
      await refused(await forge(client, { headers: { origin: null } }), client, id);
      // Origin decides when both are present.
      await refused(
        await forge(client, { headers: { origin: EVIL, referer: `${trusted}/` } }),
        client,
        id,
      );
      // Control: a same-origin Referer with a path and query passes.
      const ok = await forge(client, {
        headers: { origin: null, referer: `${trusted}/some/page?x=1` },
        body: { displayName: 'via-referer' },
      });
      expect(ok.status).toBe(200);
    });
  });

  describe('Fetch Metadata', () => {
    it.each([
      ['cross-site', 403],
      ['Cross-Site', 403],
      ['same-site', 403],
      ['same-origin, cross-site', 403],
      ['nonsense', 403],
      ['none', 200],
      ['same-origin', 200],
    ] as const)('Sec-Fetch-Site: %s → %i (valid token, trusted Origin)', async (site, status) => {
      const { client, id } = await fresh();
      const reply = await forge(client, {
        headers: { 'sec-fetch-site': site },
        body: { displayName: status === 200 ? 'fetch-metadata' : PWNED },
      });
      if (status === 403) await refused(reply, client, id);
      else expect(reply.status).toBe(200);
    });
  });

  describe('content types', () => {
    it('text/plain: no token is refused; with a token the body is never read as JSON', async () => {
      const { client, id } = await fresh();
      const body = JSON.stringify({ displayName: PWNED });
      const text = { 'content-type': 'text/plain' };
      await refused(
        await forge(client, { headers: { ...text, 'x-csrf-token': null }, body }),
        client,
        id,
      );
      await refused(
        await forge(client, { headers: { ...text, 'x-csrf-token': null, origin: EVIL }, body }),
        client,
        id,
      );
      const withToken = await forge(client, { headers: text, body });
      expect(withToken.status).not.toBe(200);
      await unchanged(client, id);
    });

    it('multipart/form-data: a `_csrf` field is not a token (multipart sends the header)', async () => {
      const { client, id } = await fresh();
      const boundary = 'XyZ';
      const part = (name: string, value: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const body = `${part('_csrf', client.csrfToken)}${part('displayName', PWNED)}--${boundary}--\r\n`;
      const reply = await forge(client, {
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'x-csrf-token': null,
        },
        body,
      });
      await refused(reply, client, id);
    });

    it('urlencoded with `_csrf` and no token or a wrong one is refused', async () => {
      const { client, id } = await fresh();
      for (const field of ['', '&_csrf=', '&_csrf=AAAA', '&_csrf=x&_csrf=y']) {
        const reply = await forge(client, {
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': null },
          body: `displayName=${PWNED}${field}`,
        });
        await refused(reply, client, id);
      }
    });

    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'APPLICATION/JSON',
      'application/merge-patch+json',
    ])('%s: refused without the token', async (type) => {
      const { client, id } = await fresh();
      const reply = await forge(client, {
        headers: { 'content-type': type, 'x-csrf-token': null },
      });
      await refused(reply, client, id);
    });

    it('JSON with a charset parameter and the token is accepted (control)', async () => {
      const { client } = await fresh();
      const reply = await forge(client, {
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: { displayName: 'charset' },
      });
      expect(reply.status).toBe(200);
    });
  });

  describe('CORS', () => {
    it('a preflight or a credentialed read from an evil origin never gets ACAO: evil with credentials', async () => {
      const { client, id } = await fresh();
      const replies: RawReply[] = [];
      for (const path of [
        '/account/profile',
        '/auth/refresh',
        '/auth/login',
        '/auth/logout',
        '/me',
      ]) {
        replies.push(
          await raw(target, 'OPTIONS', path, {
            headers: {
              origin: EVIL,
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'x-csrf-token, content-type',
            },
          }),
        );
      }
      for (const path of ['/me', '/auth/csrf', '/auth/sessions']) {
        replies.push(
          await raw(target, 'GET', path, {
            headers: { origin: EVIL, cookie: cookieHeader(client) },
          }),
        );
      }
      for (const reply of replies) {
        const allowOrigin = reply.headers.get('access-control-allow-origin');
        const allowCredentials = reply.headers.get('access-control-allow-credentials');
        expect(allowOrigin === EVIL || allowOrigin === '*' || allowOrigin === 'null').toBe(false);
        expect(allowCredentials === 'true' && allowOrigin !== null).toBe(false);
      }
      await unchanged(client, id);
    });
  });
});
