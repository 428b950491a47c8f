/**
 * What the demo writes to its logs (at debug level) and to error bodies while a representative
 * battery runs against it, on every binding and strategy: ordinary use (login, refresh, logout,
 * logout-all, device list), refresh-token reuse (the warning path), CSRF refusals, forged and
 * malformed tokens, hostile login and profile bodies, repeated headers.
 *
 * Every secret the battery sees is collected: passwords, the server secret, every session and
 * refresh credential (whole, and the secret part alone), every access token and its signature,
 * every CSRF token and pre-session cookie. None may appear in any log line. Attacker input carries
 * a marker: it may appear neither in logs nor in any response body, and no error body may carry a
 * stack trace, a file name or a library's or parser's message.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyProblems, LEAK_PATTERNS } from '../../src/attacks/jwt-expect.ts';
import { b64u, compact, segment, signHs256 } from '../../src/attacks/jwt-forge.ts';
import { type AttackReply, COOKIE, send } from '../../src/attacks/jwt-http.ts';
import { DemoClient, MATRIX, startTarget, type Target, victim } from '../../src/target.ts';

const MARKER = 'QZX-LOGMARK-51c9e2';
const PASSWORDS = ['alice-password-1', 'bob-password-1'];

/** The pieces of a credential or token that are secret on their own. */
function secretPieces(value: string): string[] {
  const pieces = [value];
  const parts = value.split('.');
  if (parts.length === 2) pieces.push(parts[1]!); // `<id>.<secret>`: the id is a public handle
  if (parts.length === 3) pieces.push(parts[2]!, `${parts[1]}.${parts[2]}`); // a JWT's signature
  return pieces.filter((piece) => piece.length >= 16);
}

describe.each(MATRIX)('%s × %s: logs and error bodies', (framework, strategy) => {
  const serverSecret = `${b64u(randomBytes(32))}`;
  const bodyCredential = strategy === 'database' ? 'sessionToken' : 'refreshToken';
  let target: Target;
  /** Every secret value seen during the battery. */
  const secrets = new Set<string>(PASSWORDS);
  /** Every response to attacker input (to check for echoes and leaks). */
  const attackReplies: Array<[label: string, reply: AttackReply]> = [];

  const collectClient = (client: DemoClient) => {
    for (const value of client.cookies.values()) if (value) secrets.add(value);
    if (client.csrfToken) secrets.add(client.csrfToken);
  };
  const collectBody = (body: Record<string, unknown> | null) => {
    for (const field of ['accessToken', 'refreshToken', 'sessionToken', 'csrfToken']) {
      const value = body?.[field];
      if (typeof value === 'string') secrets.add(value);
    }
  };
  const attack = async (label: string, pending: Promise<AttackReply>) => {
    const reply = await pending;
    attackReplies.push([label, reply]);
    return reply;
  };
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    send(target.url, path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    // The demo reads its server secret from the environment: a known one, to look for it.
    const previous = process.env.SESS_SECRET;
    process.env.SESS_SECRET = serverSecret;
    try {
      target = await startTarget(framework, strategy);
    } finally {
      if (previous === undefined) delete process.env.SESS_SECRET;
      else process.env.SESS_SECRET = previous;
    }
    secrets.add(serverSecret);

    // Ordinary use by a browser: login, /me, devices, refresh, a second device that logs out.
    const alice = await victim(target);
    collectClient(alice);
    await alice.request('GET', '/me');
    await alice.request('GET', '/auth/sessions');
    await alice.request('POST', '/auth/refresh');
    collectClient(alice);
    const device = await victim(target);
    collectClient(device);
    const deadToken = device.cookies.get(COOKIE.session)!;
    await device.request('POST', '/auth/logout');

    // A non-browser client: tokens in the body, two rotations, then the first token again
    // (a retired secret: reuse, the warning path, and the session is revoked).
    const login = await postJson('/auth/login', {
      email: 'bob@example.com',
      password: PASSWORDS[1],
    });
    collectBody(login.body);
    const first = login.body?.[bodyCredential] as string;
    const second = await postJson('/auth/refresh', { [bodyCredential]: first });
    collectBody(second.body);
    const third = await postJson('/auth/refresh', {
      [bodyCredential]: second.body?.[bodyCredential],
    });
    collectBody(third.body);
    await attack('refresh reuse', postJson('/auth/refresh', { [bodyCredential]: first }));
    const bob = new DemoClient(target.url, 'bob-browser/1');
    await bob.login('bob@example.com', PASSWORDS[1]);
    collectClient(bob);
    await bob.request('POST', '/auth/logout-all', { exceptCurrent: true });

    // CSRF refusals on a cookie session: a wrong token (the marker), a foreign origin.
    const csrfBad = {
      cookie: `${COOKIE.session}=${alice.cookies.get(COOKIE.session)}`,
      origin: target.url,
    };
    await attack(
      'csrf marker token',
      postJson('/account/profile', { displayName: 'x' }, { ...csrfBad, 'x-csrf-token': MARKER }),
    );
    await attack(
      'csrf foreign origin',
      postJson(
        '/account/profile',
        { displayName: 'x' },
        { ...csrfBad, origin: `https://${MARKER.toLowerCase()}.example` },
      ),
    );

    // Forged and malformed tokens carrying the marker, as bearer and as cookie.
    const header = { alg: 'HS256', kid: 'demo', typ: 'at+jwt' };
    const claims = { sub: 'u-alice', sid: MARKER, jti: MARKER, iat: 1, exp: 2 };
    const forged = [
      compact({ ...header, alg: 'none' }, claims, ''),
      signHs256({ ...header, kid: `../../${MARKER}` }, claims, 'secret'),
      signHs256({ ...header, jku: `http://127.0.0.1:1/${MARKER}` }, claims, 'secret'),
      `${segment(header)}.${segment(claims)}.${MARKER}`,
      `${segment(MARKER)}.${segment(MARKER)}.${b64u(MARKER)}`,
      `${MARKER}.${MARKER}`,
      `${b64u(randomBytes(16))}.${MARKER}`,
      deadToken,
    ];
    for (const token of forged) {
      secrets.add(token);
      await attack(
        'bearer',
        send(target.url, '/me', { headers: { authorization: `Bearer ${token}` } }),
      );
      await attack(
        'cookie',
        send(target.url, '/me', { headers: { cookie: `${COOKIE.session}=${token}` } }),
      );
    }
    await attack(
      'two bearer headers',
      send(target.url, '/me', {
        headers: { authorization: [`Bearer ${MARKER}`, `Bearer ${forged[0]}`] },
      }),
    );
    await attack(
      'refresh marker',
      postJson('/auth/refresh', { [bodyCredential]: `${MARKER}.${MARKER}` }),
    );
    await attack(
      'refresh cookie marker',
      send(target.url, '/auth/refresh', {
        method: 'POST',
        headers: { cookie: `${COOKIE.refresh}=${MARKER}` },
      }),
    );

    // Hostile bodies: the marker as the password (also a wrong password), malformed JSON.
    await attack(
      'login marker',
      postJson('/auth/login', { email: `${MARKER}@example.com`, password: MARKER }),
    );
    await attack(
      'login alice wrong',
      postJson('/auth/login', {
        email: 'alice@example.com',
        password: `${MARKER}-alice-password-1`,
      }),
    );
    await attack('login malformed', postJson('/auth/login', `{"email":"${MARKER}","password":`));
    await attack('login oversize', postJson('/auth/login', { password: MARKER.repeat(2000) }));
    const again = await postJson('/auth/login', {
      email: 'bob@example.com',
      password: PASSWORDS[1],
    });
    collectBody(again.body);
    const bearer = {
      authorization: `Bearer ${again.body?.accessToken ?? again.body?.sessionToken}`,
    };
    expect((await send(target.url, '/me', { headers: bearer })).status).toBe(200);
    await attack(
      'profile malformed',
      postJson('/account/profile', `{"displayName":${MARKER}}`, bearer),
    );
    await attack(
      'profile nested',
      postJson('/account/profile', `${'['.repeat(5000)}"${MARKER}"`, bearer),
    );
    await attack(
      'revoke foreign id',
      send(target.url, `/auth/sessions/${MARKER}`, { method: 'DELETE', headers: bearer }),
    );
  });
  afterAll(() => target?.close());

  it('logged at debug level while the battery ran (the check has something to read)', () => {
    expect(target.logs.some((line) => line.includes('"level":"debug"'))).toBe(true);
    expect(target.logs.some((line) => line.includes('session.created'))).toBe(true);
    expect(target.logs.some((line) => line.includes('"level":"warn"'))).toBe(true); // the reuse
    expect(secrets.size).toBeGreaterThan(10);
  });

  it('no secret, token, signature, cookie, CSRF token or password in any log line', () => {
    const found: string[] = [];
    for (const secret of secrets) {
      for (const piece of secretPieces(secret)) {
        const line = target.logs.find((l) => l.includes(piece));
        if (line) found.push(`${piece.slice(0, 12)}… in ${line.slice(0, 80)}`);
      }
    }
    for (const password of PASSWORDS) {
      if (target.logs.some((l) => l.includes(password))) found.push(`password ${password}`);
    }
    expect(found).toEqual([]);
  });

  it('attacker input (the marker) never reaches the logs', () => {
    expect(target.logs.filter((line) => line.toUpperCase().includes(MARKER))).toEqual([]);
  });

  it('error bodies never echo the input, and carry no stack trace or library message', () => {
    expect(attackReplies.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const [label, reply] of attackReplies) {
      if (reply.status < 400) problems.push(`${label}: status ${reply.status}`);
      if (reply.text.toUpperCase().includes(MARKER)) problems.push(`${label}: echoes the marker`);
      if (JSON.stringify(reply.headers).toUpperCase().includes(MARKER)) {
        problems.push(`${label}: a response header echoes the marker`);
      }
      problems.push(...bodyProblems(reply.text, []).map((p) => `${label}: ${p}`));
      const code = reply.body?.error?.code;
      if (typeof code !== 'string' || !/^ERR_(?:SESS|DEMO)_[A-Z_]+$/.test(code)) {
        problems.push(`${label}: not a coded error body: ${reply.text.slice(0, 60)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(LEAK_PATTERNS.length).toBeGreaterThan(5);
  });
});
