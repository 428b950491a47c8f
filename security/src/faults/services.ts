import { spawnSync } from 'node:child_process';
import { available, DATABASE_URL, pingPostgres, pingRedis, REDIS_URL } from '@sess/behaviour-suite';
import { describe } from 'vitest';

/** What a fault file needs. */
export type Service = 'redis' | 'postgres' | 'redis-server';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

async function check(service: Service): Promise<string | null> {
  if (service === 'redis-server') {
    return spawnSync('redis-server', ['--version']).status === 0
      ? null
      : 'redis-server is not on the PATH';
  }
  const url = service === 'redis' ? REDIS_URL : DATABASE_URL;
  if (!LOOPBACK.has(new URL(url).hostname)) return `${service}: fault tests only run on loopback`;
  const probe = service === 'redis' ? pingRedis : pingPostgres;
  return (await available(service, () => probe(url))) ? null : `${service} is not reachable`;
}

/**
 * `describe` when every service answers; otherwise `describe.skip` with a loud notice, or a
 * failure under SESS_REQUIRE_SERVICES=1 (as `.ci/run` sets), as DESIGN §6 asks of every suite.
 */
export async function describeWith(...services: Service[]): Promise<typeof describe> {
  const missing = (await Promise.all(services.map(check))).filter((m) => m !== null);
  if (missing.length === 0) return describe;
  if (process.env.SESS_REQUIRE_SERVICES === '1') {
    throw new Error(`SESS_REQUIRE_SERVICES=1 but ${missing.join('; ')}`);
  }
  console.warn(`\n!!! SKIPPING security fault tests: ${missing.join('; ')} !!!\n`);
  return describe.skip as unknown as typeof describe;
}
