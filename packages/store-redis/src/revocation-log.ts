import { type Clock, GLOBAL_SCOPE, type RevocationEvent } from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import type { Writes } from './durability.ts';
import type { KeyLayout } from './keys.ts';
import { readRecord } from './record.ts';
import { scanKeys } from './scan.ts';
import { LOG, RAISE, RECENT, runScript } from './scripts.ts';

// Backfilled keys are read and logged this many at a time; the commands of a batch travel together.
const BATCH = 100;

/** One revocation as RAISE (and LOG) write it. */
export interface LogEntry {
  /** The log's written and value sets. */
  logKeys: string[];
  /** The deny or watermark key. */
  key: string;
  /** Its name in the log: the deny key or the scope. */
  member: string;
  value: number;
  /** Log members whose value is at or below this, at `now`, are over. */
  trim(now: number): number;
  /** Added to the highest value for the log's own expiry. */
  extra: number;
}

export interface RevocationLog {
  /** The log entry of `deny(key, expiresAt)`. */
  deny(key: string, expiresAt: number): LogEntry;
  /** The log entry of `setNotBefore(scope, at)`. */
  mark(scope: string, at: number): LogEntry;
  /** Writes the key and logs it; resolves with the value the key kept. */
  raise(w: Writes, entry: LogEntry, expireAt: number, head: string): Promise<number>;
  /** `recentRevocations`. */
  recent(since: number, now: number): Promise<RevocationEvent[]>;
}

interface Context {
  client: Redis | Cluster;
  keys: KeyLayout;
  clock: Clock;
  watermarkTtlMs: number;
  cluster: boolean;
}

export function revocationLog({
  client,
  keys,
  clock,
  watermarkTtlMs,
  cluster,
}: Context): RevocationLog {
  const { log } = keys;
  const denyLog = [log.denyWritten, log.denyUntil];
  const marksLog = [log.marksWritten, log.marksAt];
  const allLogs = [...denyLog, ...marksLog];
  const global = keys.watermark(GLOBAL_SCOPE);

  const deny = (key: string, expiresAt: number): LogEntry => ({
    logKeys: denyLog,
    key: keys.deny(key),
    member: key,
    value: expiresAt,
    trim: (now) => now, // an entry expired at now is over
    extra: 0,
  });
  const mark = (scope: string, at: number): LogEntry => ({
    logKeys: marksLog,
    key: keys.watermark(scope),
    member: scope,
    value: at,
    trim: (now) => now - watermarkTtlMs, // its key has expired
    extra: watermarkTtlMs,
  });
  const logArgs = (entry: LogEntry, written: number, value: string) => [
    entry.member,
    written,
    value,
    entry.trim(written),
    entry.extra,
  ];

  // Every revocation is logged with the store's clock as its time. On a single node RAISE logs it
  // in the same script. In Cluster the log is in another slot: it is written first, so a failure
  // in between leaves a logged revocation the key lacks (replicas refuse more, never less) and the
  // operation rejects; when the key kept a higher value than the one asked for, the log is raised
  // to it after.
  const raise = async (w: Writes, entry: LogEntry, expireAt: number, head: string) => {
    const { key, logKeys, value, member, extra } = entry;
    const written = clock.now();
    const raised = [String(value), expireAt, keys.channel, head];
    if (!cluster) {
      const args = [...raised, member, written, entry.trim(written), extra];
      return Number(await w.script(RAISE, [key, ...logKeys], args));
    }
    await w.script(LOG, logKeys, logArgs(entry, written, String(value)));
    const kept = Number(await w.script(RAISE, [key], raised));
    if (kept > value) await w.script(LOG, logKeys, logArgs(entry, written, String(kept)));
    return kept;
  };

  // Versions before the log wrote revocations without it, and Redis has no migration step: the
  // first recentRevocations of each prefix logs what they left (the marker then says it is done;
  // it expires with the watermarks, after which the next call looks again). A deny key and the
  // global watermark name what they log; a user's watermark key names a digest of the user id, so
  // it is found through a record of that user, and a user with no record left is skipped. The
  // scan runs once per process at most, shared by concurrent calls; a call that times out leaves
  // it running, and a failed one is retried by the next call.
  let backfilled: Promise<void> | null = null;
  const backfill = (): Promise<void> => {
    backfilled ??= (async () => {
      if ((await client.exists(log.backfilled)) === 1) return;
      const written = clock.now();
      const logged = (entry: LogEntry, value: string): Promise<unknown> =>
        runScript(client, LOG, entry.logKeys, logArgs(entry, written, value));
      await inBatches(scanKeys(client, keys.denyBase), async (key) => {
        const value = await client.get(key);
        if (value !== null) await logged(deny(key.slice(keys.denyBase.length), 0), value);
      });
      await inBatches(scanKeys(client, keys.watermarkBase), async (key) => {
        const found = await markOf(key);
        if (found) await logged(mark(found.scope, 0), found.value);
      });
      await client.set(log.backfilled, String(written), 'PX', watermarkTtlMs);
    })();
    backfilled.catch(() => {
      backfilled = null;
    });
    return backfilled;
  };
  const markOf = async (key: string): Promise<{ scope: string; value: string } | null> => {
    const value = await client.get(key);
    if (value === null) return null;
    if (key === global) return { scope: GLOBAL_SCOPE, value };
    const tag = keys.watermarkTag(key);
    const [id] = tag === null ? [] : await client.zrange(keys.index(tag), 0, 0);
    const record = id === undefined ? null : await readRecord(client, keys, cluster, tag!, id);
    return record ? { scope: record.userId, value } : null;
  };

  return {
    deny,
    mark,
    raise,

    async recent(since, now) {
      const args = [scoreBound(since), scoreBound(now)];
      await backfill();
      // The global watermark is read as well: one key, and then no older writer (a version still
      // running without the log, a backfill that missed it) can hide a `revokeEverything`.
      const [flat, globalAt] = await Promise.all([
        runScript(client, RECENT, allLogs, args) as Promise<string[]>,
        client.get(global),
      ]);
      const events: RevocationEvent[] = [];
      let globalLogged = false;
      for (let i = 0; i + 2 < flat.length; i += 3) {
        const [kind, subject, value] = [flat[i], flat[i + 1]!, Number(flat[i + 2])];
        if (kind === 'd') {
          events.push({ type: 'deny', key: subject, expiresAt: value });
          continue;
        }
        const at = subject === GLOBAL_SCOPE ? Math.max(value, Number(globalAt ?? 0)) : value;
        globalLogged ||= subject === GLOBAL_SCOPE;
        events.push({ type: 'not-before', scope: subject, at });
      }
      if (!globalLogged && globalAt !== null) {
        events.push({ type: 'not-before', scope: GLOBAL_SCOPE, at: Number(globalAt) });
      }
      return events;
    },
  };
}

// A batch's reads start together once it is full: a read started while the scan still waits for
// its next page could fail with nobody listening yet, an unhandled rejection (which ends a Node
// process by default).
async function inBatches(
  keys: AsyncIterable<string>,
  each: (key: string) => Promise<void>,
): Promise<void> {
  let batch: string[] = [];
  for await (const key of keys) {
    batch.push(key);
    if (batch.length >= BATCH) {
      await Promise.all(batch.map(each));
      batch = [];
    }
  }
  await Promise.all(batch.map(each));
}

// A sorted-set score bound: Redis spells infinities its own way.
function scoreBound(ms: number): string {
  if (Number.isNaN(ms)) throw new TypeError('redisStore: times must be epoch milliseconds');
  if (ms === Number.POSITIVE_INFINITY) return '+inf';
  if (ms === Number.NEGATIVE_INFINITY) return '-inf';
  return String(ms);
}
