import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClean, sess } from './support.ts';

interface Report {
  ok: boolean;
  findings: { id: string; severity: string; subject: string }[];
  responses: {
    request: string;
    status: number;
    cookies: Record<string, unknown>[];
    headers: Record<string, string | null>;
  }[];
}

const SESSION_VALUE = 'sess-value-that-must-not-be-printed';

/** A loopback server answering `routes` by path (404 for anything else). */
async function serve(
  routes: Record<string, OutgoingHttpHeaders>,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const headers = routes[req.url ?? ''];
    res.writeHead(headers ? 200 : 404, headers ?? {}).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const SECURE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

let good: { url: string; server: Server };
let bad: { url: string; server: Server };

beforeAll(async () => {
  good = await serve({
    '/': { ...SECURE_HEADERS, 'content-type': 'text/html' },
    '/auth/csrf': {
      ...SECURE_HEADERS,
      'set-cookie': [
        `__Host-csrf=${SESSION_VALUE}; Path=/; Secure; HttpOnly; SameSite=Lax`,
        `__Host-session=${SESSION_VALUE}; Path=/; Secure; HttpOnly; SameSite=Strict`,
      ],
    },
  });
  bad = await serve({
    '/': {
      'set-cookie': [
        `sid=${SESSION_VALUE}; Path=/; Domain=example.com; SameSite=None`,
        `__Host-session=${SESSION_VALUE}; Path=/app; Secure; HttpOnly; SameSite=Lax; Max-Age=86400`,
      ],
      'x-frame-options': 'DENY',
      'referrer-policy': 'unsafe-url',
    },
  });
});
afterAll(() => {
  good.server.close();
  bad.server.close();
});

describe('sess probe', () => {
  it('passes an app on the secure defaults, reporting attributes but never cookie values', async () => {
    const run = await sess(['probe', good.url, '--json']);
    expect(run.code).toBe(0);
    const report = run.json<Report>();
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.findings.map((f) => f.id)).toContain('hsts'); // loopback http: noted, not failed
    expect(report.responses.map((r) => r.request)).toEqual(['GET /', 'GET /auth/csrf']);
    expect(report.responses[1]!.cookies).toContainEqual(
      expect.objectContaining({
        name: '__Host-session',
        secure: true,
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        domain: null,
      }),
    );
    expectClean(run, [SESSION_VALUE]);
  });

  it('names each weak attribute and missing header, and exits 1 on errors', async () => {
    const run = await sess(['probe', bad.url, '--json']);
    expect(run.code).toBe(1);
    const report = run.json<Report>();
    const found = (subject: string) =>
      report.findings.filter((f) => f.subject === subject).map((f) => `${f.severity}:${f.id}`);
    expect(found('cookie sid')).toEqual(
      expect.arrayContaining([
        'warn:cookie-secure',
        'warn:cookie-prefix',
        'warn:cookie-httponly',
        'error:cookie-samesite',
        'warn:cookie-domain',
      ]),
    );
    expect(found('cookie __Host-session')).toEqual(
      expect.arrayContaining(['error:cookie-host-prefix', 'info:cookie-persistent']),
    );
    expect(found('GET /')).toEqual(
      expect.arrayContaining([
        'error:no-store',
        'warn:csp',
        'info:frame-ancestors',
        'warn:nosniff',
        'warn:referrer-policy',
      ]),
    );
    expect(report.responses).toHaveLength(1); // /auth/csrf answered 404: skipped
    expectClean(run, [SESSION_VALUE]);

    const human = await sess(['probe', bad.url]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/cookie __Host-session\n.*error cookie-host-prefix/);
    expectClean(human, [SESSION_VALUE]);
  });

  it('exits 3 when the app cannot be reached and 2 for a bad URL', async () => {
    const closed = await serve({});
    closed.server.close();
    const down = await sess(['probe', closed.url, '--json']);
    expect(down.code).toBe(3);
    expect(down.json()).toMatchObject({ error: { code: 'ERR_SESS_CLI_UNREACHABLE' } });
    expectClean(down);
    expect((await sess(['probe', 'not a url'])).code).toBe(2);
    expect((await sess(['probe', 'ftp://example.com/'])).code).toBe(2);
  });
});
