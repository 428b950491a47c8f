import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const main = new URL('../src/main.ts', import.meta.url).pathname;

// What an operator sees with SESS_LOG=info: authentication failures, one JSON line each, with no
// password, email or credential in them.
describe('the demo logs authentication failures at SESS_LOG=info', () => {
  it('failed logins, refused credentials and rate-limit hits', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sess-demo-events-'));
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        PORT: '0',
        SESS_LOG: 'info',
        SESS_LOGINS_PER_MINUTE: '2',
        SESS_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 20_000 }).toMatch(/at http:\/\/localhost:\d+/);
      const url = /at (http:\/\/localhost:\d+)/.exec(stdout)![1]!;
      const csrf = await fetch(`${url}/auth/csrf`, { headers: { origin: url } });
      const cookie = csrf.headers.getSetCookie()[0]!.split(';')[0]!;
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const login = (password: string) =>
        fetch(`${url}/auth/login`, {
          method: 'POST',
          headers: {
            origin: url,
            cookie,
            'x-csrf-token': csrfToken,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ email: 'alice@example.com', password }),
        });
      expect((await login('not-her-password')).status).toBe(401);
      expect((await login('still-not-it')).status).toBe(401);
      expect((await login('alice-password-1')).status).toBe(429);
      const forged = await fetch(`${url}/me`, { headers: { cookie: '__Host-session=AAAA.BBBB' } });
      expect(forged.status).toBe(401);

      const lines = () =>
        stderr
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      await expect
        .poll(() => lines().map((l) => l.message))
        .toEqual(
          expect.arrayContaining(['login.failed', 'ratelimit.exceeded', 'credential.refused']),
        );
      const failed = lines().filter((l) => l.message === 'login.failed');
      expect(failed).toHaveLength(2);
      expect(failed[0]).toMatchObject({
        level: 'info',
        reason: 'invalid-credentials',
        ip: '127.0.0.1',
      });
      expect(failed[0]!.account).toBe(failed[1]!.account); // the same account, hashed
      expect(lines().find((l) => l.message === 'ratelimit.exceeded')).toMatchObject({
        route: 'login',
      });
      expect(lines().find((l) => l.message === 'credential.refused')).toMatchObject({
        code: 'ERR_SESS_INVALID_CREDENTIAL',
        via: 'cookie',
      });
      expect(stderr).not.toMatch(/alice|password|AAAA|BBBB/);
      expect(stderr).not.toContain(csrfToken);
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
