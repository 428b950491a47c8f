import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { USER } from '../fixtures.ts';
import type { RunningServer } from './servers.ts';

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const run = promisify(execFile);

/** One load run against one server. */
export interface LoadResult {
  readonly reqPerSec: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
}

/** The part of autocannon's `--json` result the suite reads. */
interface AutocannonResult {
  readonly requests: { readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  /** Seconds. */
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

/**
 * `connections` keep-alive connections send `GET /me` with the contender's credentials for
 * `duration` seconds, from a fresh autocannon process: the client never carries the heap or the
 * garbage of earlier suites or runs into a measurement. Any error, timeout or non-2xx answer fails
 * the run: a contender that refuses its own valid credential under load is broken, not fast.
 */
export async function load(
  server: RunningServer,
  duration: number,
  connections: number,
): Promise<LoadResult> {
  const headers = Object.entries(server.credentials.valid).flatMap(([name, value]) => [
    '-H',
    `${name}:${value}`,
  ]);
  const args = ['--json', '-n', '-c', String(connections), '-d', String(duration), ...headers];
  const { stdout } = await run(process.execPath, [AUTOCANNON, ...args, server.url], {
    maxBuffer: 16 * 2 ** 20,
  });
  const result = JSON.parse(stdout) as AutocannonResult;
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) {
    throw new Error(`${server.contender.id}: ${failed} failed requests under load`);
  }
  return {
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

async function get(url: string, headers: Readonly<Record<string, string>>) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, body: response.ok ? (JSON.parse(text) as unknown) : text };
}

/**
 * Proves a contender before it is measured: its credential gets 200 with the expected user, and
 * (for every contender that authenticates) no credential and a forged one both get 401.
 */
export async function verify(server: RunningServer): Promise<void> {
  const id = server.contender.id;
  const ok = await get(server.url, server.credentials.valid);
  assert.deepEqual(ok, { status: 200, body: { user: USER } }, `${id}: the valid credential`);
  if (!server.contender.authenticates) return;
  for (const [what, headers] of [
    ['no credential', {}],
    ['a forged credential', server.credentials.forged],
  ] as const) {
    const { status } = await get(server.url, headers);
    assert.equal(status, 401, `${id}: ${what} must get 401`);
  }
}
