// `pnpm soak` (builds, then runs this): mixed traffic against the demo on Redis and on Postgres,
// then the history checker. SOAK_SECONDS (default 60) per target, SOAK_USERS (8), SOAK_TABS (3),
// SOAK_TARGETS (`redis:jwt,postgres:database`), REDIS_URL and DATABASE_URL as for the demo.
// Exits 1 on any 5xx, any violated invariant, or any unhandled error.

import { DEFAULT_SOAK_TARGETS, runSoak, type SoakTarget } from './soak.ts';
import { STRATEGIES } from './target.ts';

const STORES = ['redis', 'postgres', 'sqlite', 'memory'] as const;

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function targets(): readonly SoakTarget[] {
  const raw = process.env.SOAK_TARGETS;
  if (!raw) return DEFAULT_SOAK_TARGETS;
  return raw.split(',').map((entry) => {
    const [store, strategy = 'database'] = entry.trim().split(':');
    if (!(STORES as readonly string[]).includes(store ?? '')) {
      throw new Error(`SOAK_TARGETS: unknown store "${store}" (${STORES.join(', ')})`);
    }
    if (!(STRATEGIES as readonly string[]).includes(strategy)) {
      throw new Error(`SOAK_TARGETS: unknown strategy "${strategy}" (${STRATEGIES.join(', ')})`);
    }
    return { store, strategy } as SoakTarget;
  });
}

const env: Record<string, string> = {};
for (const name of ['REDIS_URL', 'DATABASE_URL']) {
  const value = process.env[name];
  if (value) env[name] = value;
}

const reports = await runSoak({
  seconds: positive('SOAK_SECONDS', 60),
  users: positive('SOAK_USERS', 8),
  tabs: positive('SOAK_TABS', 3),
  targets: targets(),
  env,
});
const failed = reports.filter((r) => !r.ok);
console.log(failed.length === 0 ? 'soak: OK' : `soak: FAILED (${failed.length} target(s))`);
process.exit(failed.length === 0 ? 0 : 1);
