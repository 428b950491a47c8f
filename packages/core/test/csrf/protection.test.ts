import { describe, expect, it } from 'vitest';
import type { CsrfOptions } from '../../src/csrf/config.ts';
import { createCsrfProtection, isSafeMethod } from '../../src/csrf/protection.ts';
import { CsrfError, type CsrfFailureReason } from '../../src/errors.ts';
import { request, testKey } from './request.ts';

const ORIGIN = 'https://app.example.com';
const browser = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' };

function protection(options: Partial<CsrfOptions> = {}) {
  return createCsrfProtection({ trustedOrigins: [ORIGIN], ...options }, testKey());
}

/** The CsrfError reason of a rejected promise, or 'passed'. */
async function outcome(promise: Promise<void>): Promise<CsrfFailureReason | 'passed'> {
  try {
    await promise;
    return 'passed';
  } catch (error) {
    if (error instanceof CsrfError) return error.reason;
    throw error;
  }
}

describe('createCsrfProtection: synchronizer (default)', () => {
  const csrf = protection();

  it('uses the documented defaults', () => {
    expect(csrf.config).toMatchObject({
      mode: 'synchronizer',
      headerName: 'x-csrf-token',
      formField: '_csrf',
      allowSameSite: false,
      allowMissingOrigin: false,
    });
  });

  it('passes a same-origin POST with the session token in the header', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1' }))).toBe('passed');
  });

  it('passes a form post with the token in the form field', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', browser);
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1', formToken: token }))).toBe(
      'passed',
    );
  });

  it('throws a CsrfError mapped to 403 with a stable code and no token in the message', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    const error = await csrf.protect(req, { sessionId: 'sid-2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsrfError);
    expect((error as CsrfError).code).toBe('ERR_SESS_CSRF');
    expect((error as CsrfError).message).not.toContain(token);
  });

  it('rejects a missing token', async () => {
    const req = request('POST', browser);
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1' }))).toBe('token-missing');
    const empty = request('POST', { ...browser, 'x-csrf-token': '' });
    expect(await outcome(csrf.protect(empty, { sessionId: 'sid-1', formToken: '' }))).toBe(
      'token-missing',
    );
  });

  it("rejects another session's token", async () => {
    const token = await csrf.issue({ sessionId: 'attacker-session' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { sessionId: 'victim-session' }))).toBe('token-invalid');
  });

  it('rejects a tampered token', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const tampered = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BAA' : 'AAA'}`;
    const req = request('POST', { ...browser, 'x-csrf-token': tampered });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1' }))).toBe('token-invalid');
  });

  it('rejects a token when the request has no session and no pre-session', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req))).toBe('token-invalid');
  });

  it('prefers the header over the form field', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', { ...browser, 'x-csrf-token': 'garbage' });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1', formToken: token }))).toBe(
      'token-invalid',
    );
  });

  it('runs Fetch Metadata and Origin before the token', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const ok = { sessionId: 'sid-1' };
    const crossSite = request('POST', {
      ...browser,
      'sec-fetch-site': 'cross-site',
      'x-csrf-token': token,
    });
    expect(await outcome(csrf.protect(crossSite, ok))).toBe('cross-site');
    const sameSite = request('POST', {
      ...browser,
      'sec-fetch-site': 'same-site',
      'x-csrf-token': token,
    });
    expect(await outcome(csrf.protect(sameSite, ok))).toBe('same-site');
    const evil = request('POST', { origin: 'https://evil.com', 'x-csrf-token': token });
    expect(await outcome(csrf.protect(evil, ok))).toBe('origin-untrusted');
    const opaque = request('POST', { origin: 'null', 'x-csrf-token': token });
    expect(await outcome(csrf.protect(opaque, ok))).toBe('origin-null');
    const bare = request('POST', { 'x-csrf-token': token });
    expect(await outcome(csrf.protect(bare, ok))).toBe('origin-missing');
  });

  it('honours allowSameSite, allowMissingOrigin and a custom header name', async () => {
    const relaxed = protection({
      allowSameSite: true,
      allowMissingOrigin: true,
      headerName: 'X-XSRF',
    });
    const token = await relaxed.issue({ sessionId: 'sid-1' });
    const req = request('POST', { 'sec-fetch-site': 'same-site', 'x-xsrf': token });
    expect(await outcome(relaxed.protect(req, { sessionId: 'sid-1' }))).toBe('passed');
    const oldHeader = request('POST', { 'sec-fetch-site': 'same-site', 'x-csrf-token': token });
    expect(await outcome(relaxed.protect(oldHeader, { sessionId: 'sid-1' }))).toBe('token-missing');
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'TRACE'])(
    'lets the safe method %s through untouched',
    async (method) => {
      const req = request(method, { origin: 'https://evil.com', 'sec-fetch-site': 'cross-site' });
      expect(await outcome(csrf.protect(req))).toBe('passed');
    },
  );

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'get', 'CONNECT'])(
    'checks the method %s',
    async (method) => {
      const req = request(method, { origin: 'https://evil.com' });
      expect(await outcome(csrf.protect(req, { sessionId: 'sid-1' }))).toBe('origin-untrusted');
    },
  );
});

describe('pre-session tokens (login CSRF)', () => {
  const csrf = protection();

  it('protects the login form with a token bound to the pre-session cookie', async () => {
    const { preSessionId, token } = await csrf.preSession();
    expect(preSessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { preSessionId }))).toBe('passed');
  });

  it("rejects a login post carrying another browser's pre-session token", async () => {
    const attacker = await csrf.preSession();
    const victim = await csrf.preSession();
    const req = request('POST', { ...browser, 'x-csrf-token': attacker.token });
    expect(await outcome(csrf.protect(req, { preSessionId: victim.preSessionId }))).toBe(
      'token-invalid',
    );
  });

  it('stops accepting the pre-session token after login', async () => {
    const { preSessionId, token } = await csrf.preSession();
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    // Logged in now: the session id wins even though the pre-session cookie is still around.
    expect(await outcome(csrf.protect(req, { sessionId: 'new-session', preSessionId }))).toBe(
      'token-invalid',
    );
    const fresh = await csrf.issue({ sessionId: 'new-session' });
    const next = request('POST', { ...browser, 'x-csrf-token': fresh });
    expect(await outcome(csrf.protect(next, { sessionId: 'new-session', preSessionId }))).toBe(
      'passed',
    );
  });

  it('never accepts a session token as a pre-session token, even for the same id', async () => {
    const token = await csrf.issue({ sessionId: 'same-id' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { preSessionId: 'same-id' }))).toBe('token-invalid');
    const pre = await csrf.issue({ preSessionId: 'same-id' });
    const req2 = request('POST', { ...browser, 'x-csrf-token': pre });
    expect(await outcome(csrf.protect(req2, { sessionId: 'same-id' }))).toBe('token-invalid');
  });

  it('refuses to issue for an empty id', async () => {
    await expect(csrf.issue({ sessionId: '' })).rejects.toThrow(TypeError);
  });
});

describe('double-submit mode', () => {
  const csrf = protection({ mode: 'double-submit' });

  it('passes when header and cookie carry the same session-bound token', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1', cookieToken: token }))).toBe(
      'passed',
    );
  });

  it('rejects a header that differs from the cookie, even when both are valid', async () => {
    const [a, b] = [
      await csrf.issue({ sessionId: 'sid-1' }),
      await csrf.issue({ sessionId: 'sid-1' }),
    ];
    const req = request('POST', { ...browser, 'x-csrf-token': a });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1', cookieToken: b }))).toBe(
      'token-invalid',
    );
  });

  it('rejects a missing cookie', async () => {
    const token = await csrf.issue({ sessionId: 'sid-1' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1' }))).toBe('token-missing');
  });

  it('rejects a matching pair bound to another session (a tossed cookie)', async () => {
    const token = await csrf.issue({ sessionId: 'attacker-session' });
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { sessionId: 'victim', cookieToken: token }))).toBe(
      'token-invalid',
    );
  });

  it('rejects a matching pair of forged values', async () => {
    const forged = `${'A'.repeat(22)}.${'A'.repeat(43)}`;
    const req = request('POST', { ...browser, 'x-csrf-token': forged });
    expect(await outcome(csrf.protect(req, { sessionId: 'sid-1', cookieToken: forged }))).toBe(
      'token-invalid',
    );
  });

  it('protects the login form through the pre-session like the synchronizer', async () => {
    const { preSessionId, token } = await csrf.preSession();
    const req = request('POST', { ...browser, 'x-csrf-token': token });
    expect(await outcome(csrf.protect(req, { preSessionId }))).toBe('passed');
    expect(await outcome(csrf.protect(req, { preSessionId: 'other' }))).toBe('token-invalid');
  });
});

describe('origin-only mode', () => {
  const csrf = createCsrfProtection({ trustedOrigins: [ORIGIN], mode: 'origin-only' });

  it('needs no key and no token', async () => {
    expect(await outcome(csrf.protect(request('POST', browser)))).toBe('passed');
  });

  it('still runs Fetch Metadata and Origin', async () => {
    const crossSite = request('POST', { ...browser, 'sec-fetch-site': 'cross-site' });
    expect(await outcome(csrf.protect(crossSite))).toBe('cross-site');
    expect(await outcome(csrf.protect(request('POST', { origin: 'https://evil.com' })))).toBe(
      'origin-untrusted',
    );
    expect(await outcome(csrf.protect(request('POST')))).toBe('origin-missing');
  });

  it('issues no tokens', async () => {
    await expect(csrf.issue({ sessionId: 's' })).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
    await expect(csrf.preSession()).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
  });
});

describe('construction', () => {
  it('requires a key in token modes', () => {
    expect(() => createCsrfProtection({ trustedOrigins: [ORIGIN] })).toThrow(
      expect.objectContaining({
        code: 'ERR_SESS_CONFIG',
        issues: ["key: required in the 'synchronizer' mode"],
      }),
    );
  });

  it('lists every invalid option at once', () => {
    const error = (() => {
      try {
        createCsrfProtection(
          { trustedOrigins: ['https://a.example.com/x'], mode: 'magic' as never },
          testKey(),
        );
      } catch (e) {
        return e as { issues: string[] };
      }
    })();
    expect(error?.issues).toHaveLength(2);
  });
});

describe('isSafeMethod', () => {
  it('only accepts the exact upper-case safe methods', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'TRACE'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'get', 'Get', 'PROPFIND', ''].some(isSafeMethod)).toBe(false);
  });
});
