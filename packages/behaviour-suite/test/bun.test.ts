import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { startApp } from '../src/apps.ts';
import { Client, type Transcript } from '../src/client.ts';
import { fixture } from '../src/fixture.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
const ENTRY = fileURLToPath(new URL('../src/apps/web-bun.ts', import.meta.url));

function bunBinary(): string | null {
  try {
    return createRequire(import.meta.url).resolve('bun/bin/bun.exe');
  } catch {
    return null;
  }
}
const bun = bunBinary();
if (bun === null) {
  if (process.env.SESS_REQUIRE_SERVICES === '1') {
    throw new Error('SESS_REQUIRE_SERVICES=1 but the bun binary (devDependency `bun`) is missing');
  }
  console.warn('\n!!! SKIPPING @sess/web under Bun.serve: the bun binary is missing !!!\n');
}

/** Starts the suite's web app under Bun.serve; resolves with its URL once it listens. */
function startBun(binary: string, strategy: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(binary, [ENTRY, strategy], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bun exited with ${code}`)));
    child.stdout!.setEncoding('utf8').once('data', (line: string) => {
      resolve({ url: line.trim(), child });
    });
  });
}

/** The main flow, recorded: csrf, a refused and a good login, me, refresh, devices, logout. */
async function flow(url: string): Promise<Transcript> {
  const transcript: Transcript = [];
  const client = new Client(url, transcript);
  await client.get('/auth/csrf');
  await client.post('/auth/login', { json: { ...ALICE, password: 'wrong' } });
  await client.post('/auth/login', { json: ALICE });
  await client.get('/me');
  await client.post('/auth/refresh', { json: {} });
  await client.post('/account/profile', { json: {} });
  await client.post('/account/profile', { csrf: false });
  await client.get('/auth/sessions');
  await client.post('/auth/logout');
  await client.get('/me');
  return transcript;
}

describe.skipIf(bun === null)('@sess/web under Bun.serve', () => {
  it.each(['database', 'jwt', 'hybrid'])(
    '%s: the same transcript as on Node',
    async (strategy) => {
      const fx = fixture(strategy as 'database');
      const loginLimiter = new RateLimiterMemory({ points: 1000, duration: 60 });
      const node = await startApp('web', fx.sess, { loginLimiter });
      const onBun = await startBun(bun!, strategy);
      try {
        expect(await flow(onBun.url)).toEqual(await flow(node.url));
      } finally {
        onBun.child.kill();
        await node.close();
      }
    },
    30_000,
  );
});
