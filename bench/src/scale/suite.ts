// One store at one session count: load, bytes per session, validate and refresh throughput,
// cleanup throughput with the p99 of validations running meanwhile, revokeAllForUser of a user
// with 1,000 sessions, revokeEverything.
import type { SessionManager, SessionRecord, SessionStore } from '@sess/core';
import { parseCredential } from '@sess/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { benchManager } from '../fixtures.ts';
import {
  openStore,
  redisPrefix,
  type Services,
  type StoreKind,
  sqliteFile,
  tableName,
} from '../services.ts';
import { provenFloor } from './floor.ts';
import {
  alternating,
  postgresBytes,
  redisMemory,
  sqliteBytes,
  type Timed,
  timed,
  whileRunning,
} from './measure.ts';
import { HEAVY_SESSIONS, HEAVY_USER, IP, load, PER_USER, sample, USER_AGENT } from './sessions.ts';

export type ScaleStore = Exclude<StoreKind, 'memory'>;

export interface ScaleRow {
  store: ScaleStore;
  sessions: number;
  loadSeconds: number;
  bytesPerSession: number;
  /** Redis only: keys per session and bytes by key kind (r record, u index, ...). */
  keysPerSession?: number;
  byKind?: Record<string, { bytes: number; keys: number }>;
  validate: Timed;
  /** The floor: one read of the record by id, no sess code (see `floor.ts`). */
  read: Timed;
  refresh: Timed;
  cleanup: { expired: number; perSecond: number; seconds: number; how: string };
  validateDuringCleanup: Timed & { calls: number };
  revokeAllForUserMs: number;
  revokeAllForUserCount: number;
  revokeEverythingMs: number;
}

const VALIDATIONS = Number(process.env.SCALE_VALIDATIONS ?? 10_000);
const REFRESHES = Number(process.env.SCALE_REFRESHES ?? 2_000);
const EXPIRING_TTL_MS = 3_000;

async function bytesOf(kind: ScaleStore, services: Services, name: string) {
  if (kind === 'redis') {
    const client = new Redis(services.redisUrl);
    try {
      return await redisMemory(client, redisPrefix(services, name));
    } finally {
      client.disconnect();
    }
  }
  if (kind === 'postgres') {
    return { bytes: await postgresBytes(services.databaseUrl, tableName(services, name)) };
  }
  return { bytes: sqliteBytes(sqliteFile(services, name)) };
}

async function templateOf(manager: SessionManager, store: SessionStore): Promise<SessionRecord> {
  const issued = await manager.create('scale-template', {
    meta: { userAgent: USER_AGENT, ip: IP },
  });
  const record = await store.get(parseCredential(issued.credential)!.id);
  if (!record) throw new Error('the template session is not in the store');
  return record;
}

// Redis reaps expired keys itself: on access, and by an active cycle (10 times a second) that
// samples keys with a TTL and goes on while more than 10% of a sample has expired. So with a tenth
// of the sessions expiring, reaping is a background trickle, not a batch job: the suite watches
// the server's expired_keys counter for up to REDIS_REAP_MS (or until the short-lived sessions'
// keys, records and their users' indexes, are all counted) and reports that rate. Keys not yet
// reaped are invisible (every read checks the expiry) and take memory until sampled or touched.
const REDIS_REAP_MS = Number(process.env.SCALE_REDIS_REAP_MS ?? 15_000);
async function redisReaped(services: Services, keys: number): Promise<number> {
  const client = new Redis(services.redisUrl);
  const expired = async () => Number(/expired_keys:(\d+)/.exec(await client.info('stats'))![1]);
  try {
    const start = await expired();
    const deadline = Date.now() + REDIS_REAP_MS;
    let reaped = 0;
    while (reaped < keys && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reaped = (await expired()) - start;
    }
    return Math.min(reaped, keys);
  } finally {
    client.disconnect();
  }
}

// Postgres: one INSERT per 2,000 rows, in the columns and JSON the store writes (1M one-row
// inserts would take about ten minutes here).
function postgresBulk(services: Services, table: string) {
  const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 2 });
  const bulk = async (records: SessionRecord[]): Promise<void> => {
    await pool.query(
      `INSERT INTO ${table} (id, user_id, expires_at, version, record, retain_until)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::jsonb[], $6::bigint[])`,
      [
        records.map((r) => r.id),
        records.map((r) => r.userId),
        records.map((r) => r.expiresAt),
        records.map((r) => r.version),
        records.map((r) => JSON.stringify(r)),
        records.map((r) => r.retainUntil ?? null),
      ],
    );
  };
  return { bulk, close: () => pool.end() };
}

export async function runScale(
  kind: ScaleStore,
  count: number,
  services: Services,
  log: (line: string) => void,
): Promise<ScaleRow> {
  const name = `s${count}`;
  const store = await openStore(kind, services, name);
  try {
    const manager = benchManager(store, 'database');
    const template = await templateOf(manager, store);
    const empty = await bytesOf(kind, services, name);

    const pgLoad = kind === 'postgres' ? postgresBulk(services, tableName(services, name)) : null;
    const loading = pgLoad ? { inFlight: 2_000, bulk: pgLoad.bulk } : { inFlight: 1_000 };
    let t0 = performance.now();
    const credentials = await load(store, template, count, loading);
    const loadSeconds = (performance.now() - t0) / 1000;
    log(`  loaded ${count} sessions in ${loadSeconds.toFixed(1)} s`);
    const full = await bytesOf(kind, services, name);
    const bytesPerSession = (full.bytes - empty.bytes) / count;
    const redis = 'keys' in full && 'keys' in empty ? full : null;

    const validateSet = sample(credentials, VALIDATIONS);
    const validate = (credential: string) => manager.validate(credential);
    const floor = await provenFloor(kind, services, name, validateSet.slice(0, 64));
    // Closed whatever happens: an open client would keep a failed run's process alive.
    const [validated, read] = await alternating(validateSet, validate, floor.read).finally(
      floor.close,
    );
    log(
      `  validate ${validated.perSecond.toFixed(0)}/s (p99 ${validated.p99.toFixed(2)} ms); the read alone ${read.perSecond.toFixed(0)}/s`,
    );
    const refreshSet = sample(credentials, REFRESHES);
    const refreshed = await timed(refreshSet, (credential) => manager.refresh(credential));
    log(`  refresh ${refreshed.perSecond.toFixed(0)}/s`);

    // Cleanup: a tenth more sessions (at least 1,000, at most 100,000) that expire within seconds.
    const expiring = Math.min(100_000, Math.max(1_000, Math.floor(count / 10)));
    await load(store, template, expiring, { ...loading, ttlMs: EXPIRING_TTL_MS, userPrefix: 'x' });
    const expiresAt = Date.now() + EXPIRING_TTL_MS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 100)));
    const rotated = new Set(refreshSet);
    const live = validateSet.filter((c) => !rotated.has(c)).slice(0, 2_000);
    t0 = performance.now();
    let expired = expiring;
    let how: string;
    let reaping: Promise<unknown>;
    if (kind === 'redis') {
      how = `Redis's own expiry (key TTLs): keys reaped within ${REDIS_REAP_MS / 1000} s, from INFO expired_keys`;
      reaping = redisReaped(services, expiring + Math.ceil(expiring / PER_USER)).then((n) => {
        expired = n;
      });
    } else {
      how = 'store.deleteExpired(now)';
      const reaper = store as SessionStore & { deleteExpired(now: number): Promise<number> };
      reaping = reaper.deleteExpired(Date.now()).then((n) => {
        expired = n;
      });
    }
    const during = await whileRunning(live, validate, reaping);
    const seconds = (performance.now() - t0) / 1000;
    log(
      `  cleanup ${expired} in ${seconds.toFixed(2)} s; validate p99 meanwhile ${during.p99.toFixed(2)} ms`,
    );

    let revokeAllForUserMs = 0;
    let revokeAllForUserCount = 0;
    if (count >= HEAVY_SESSIONS * 5) {
      t0 = performance.now();
      revokeAllForUserCount = await manager.revokeAllForUser(HEAVY_USER);
      revokeAllForUserMs = performance.now() - t0;
    }
    const everything: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      await manager.revokeEverything();
      everything.push(performance.now() - t0);
    }
    everything.sort((a, b) => a - b);
    log(
      `  revokeAllForUser(${revokeAllForUserCount}) ${revokeAllForUserMs.toFixed(1)} ms; revokeEverything ${everything[2]!.toFixed(2)} ms`,
    );

    await pgLoad?.close();
    return {
      store: kind,
      sessions: count,
      loadSeconds,
      bytesPerSession,
      ...(redis
        ? {
            keysPerSession: (redis.keys - (empty as typeof redis).keys) / count,
            byKind: Object.fromEntries(
              Object.entries(redis.byKind).map(([k, v]) => [
                k,
                { bytes: v.bytes / count, keys: v.keys / count },
              ]),
            ),
          }
        : {}),
      validate: validated,
      read,
      refresh: refreshed,
      cleanup: { expired, perSecond: expired / seconds, seconds, how },
      validateDuringCleanup: during,
      revokeAllForUserMs,
      revokeAllForUserCount,
      revokeEverythingMs: everything[2]!,
    };
  } finally {
    await store.close();
  }
}
