// What the scale suite measures: operations per second with many in flight, latency percentiles,
// and the bytes a store spends per session.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Cluster, Redis } from 'ioredis';
import pg from 'pg';

export interface Timed {
  /** Operations per second over the whole run. */
  perSecond: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** Runs `op` once per item, `concurrency` at a time; every call must resolve. */
export async function timed<T>(
  items: readonly T[],
  op: (item: T) => Promise<unknown>,
  concurrency = 32,
): Promise<Timed> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      const t0 = performance.now();
      await op(item);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: items.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/**
 * `a` and `b` each {@link timed} over all of `items`, `rounds` times in turns (every other round
 * `b` first, so that neither always runs first), after a warm-up of each; the median run of each.
 */
export async function alternating<T>(
  items: readonly T[],
  a: (item: T) => Promise<unknown>,
  b: (item: T) => Promise<unknown>,
  rounds = 3,
): Promise<[Timed, Timed]> {
  for (const op of [a, b]) await timed(items.slice(0, 500), op); // connections and JIT
  const runs: [Timed[], Timed[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) runs[i]!.push(await timed(items, i === 0 ? a : b));
  }
  const median = (of: Timed[]) => of.sort((x, y) => x.perSecond - y.perSecond)[of.length >> 1]!;
  return [median(runs[0]), median(runs[1])];
}

/**
 * Runs `op` over `items` in a loop (cycling), `concurrency` at a time, until `until` settles;
 * returns the latencies' percentiles of the calls made meanwhile.
 */
export async function whileRunning<T>(
  items: readonly T[],
  op: (item: T) => Promise<unknown>,
  until: Promise<unknown>,
  concurrency = 8,
): Promise<Timed & { calls: number }> {
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (!done) {
      // A store that answers synchronously (SQLite) would otherwise starve the reaper's turns.
      await new Promise((resolve) => setImmediate(resolve));
      const item = items[next++ % items.length]!;
      const t0 = performance.now();
      await op(item);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all([until, ...Array.from({ length: concurrency }, worker)]);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

export interface RedisMemory {
  bytes: number;
  keys: number;
  /** Bytes by key kind (the letter after the prefix: r record, u index, p pointer, ...). */
  byKind: Record<string, { bytes: number; keys: number }>;
}

/** Sums `MEMORY USAGE` (all samples) over every key under `prefix`, on every master in Cluster. */
export async function redisMemory(client: Redis | Cluster, prefix: string): Promise<RedisMemory> {
  const nodes = 'nodes' in client ? (client as Cluster).nodes('master') : [client as Redis];
  const out: RedisMemory = { bytes: 0, keys: 0, byKind: {} };
  for (const node of nodes) {
    for await (const batch of node.scanStream({
      match: `${prefix}*`,
      count: 1_000,
    }) as AsyncIterable<string[]>) {
      if (batch.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      const replies = (await pipeline.exec()) ?? [];
      batch.forEach((key, i) => {
        const bytes = Number(replies[i]?.[1] ?? 0);
        const kind = key.slice(prefix.length).split(':')[0] || '?';
        out.byKind[kind] ??= { bytes: 0, keys: 0 };
        out.byKind[kind].bytes += bytes;
        out.byKind[kind].keys += 1;
        out.bytes += bytes;
        out.keys += 1;
      });
    }
  }
  return out;
}

/** pg_total_relation_size of `table` (heap, TOAST and indexes). */
export async function postgresBytes(databaseUrl: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`VACUUM ${table}`);
    const { rows } = await client.query<{ size: string }>(
      'SELECT pg_total_relation_size($1::regclass) AS size',
      [table],
    );
    return Number(rows[0]!.size);
  } finally {
    await client.end();
  }
}

/** The SQLite file's size after a checkpoint that empties the WAL into it. */
export function sqliteBytes(file: string): number {
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return statSync(file).size;
}
