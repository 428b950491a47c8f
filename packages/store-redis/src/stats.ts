import type { StoreStats, StoreStatsOptions } from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './client.ts';
import type { KeyLayout } from './keys.ts';
import { readRecord } from './record.ts';
import { scanKeys } from './scan.ts';
import { COUNT, runScript } from './scripts.ts';

// Index keys are read this many at a time; the commands of a batch travel together.
const BATCH = 500;

/**
 * Counts live sessions from the per-user index sets: SCAN for the indexes, then one script per
 * index that reads each member's expiry (an index also lists expired records kept for `getExpired`,
 * so its scores alone would overcount). Only the top users' ids are resolved, from one live record each,
 * since an index key names a digest of the user id, not the id itself.
 */
export async function countSessions(
  client: Redis | Cluster,
  keys: KeyLayout,
  now: number,
  { expiringBefore, topUsers }: StoreStatsOptions,
): Promise<StoreStats> {
  const base = indexBase(keys);
  const live = new Map<string, number>(); // index key -> live sessions
  let expiringSoon = 0;
  const count = async (batch: string[]): Promise<void> => {
    const counted = await Promise.all(
      batch.map(
        async (key) =>
          (await runScript(
            client,
            COUNT,
            [key],
            [...bases(client, keys, tagOf(keys, key)), now, expiringBefore],
          )) as [number, number],
      ),
    );
    counted.forEach(([sessions, expiring], i) => {
      if (sessions > 0) live.set(batch[i]!, sessions);
      expiringSoon += expiring;
    });
  };
  let batch: string[] = [];
  for await (const key of scanKeys(client, base)) {
    batch.push(key);
    if (batch.length >= BATCH) {
      await count(batch);
      batch = [];
    }
  }
  await count(batch);

  const ranked = [...live].sort((a, b) => b[1] - a[1]).slice(0, Math.max(0, topUsers));
  const named = await Promise.all(
    ranked.map(async ([index, sessions]) => {
      const userId = await userOf(client, keys, index, now);
      return userId === null ? [] : [{ userId, sessions }];
    }),
  );
  let sessions = 0;
  for (const n of live.values()) sessions += n;
  return { sessions, users: live.size, expiringSoon, topUsers: named.flat() };
}

/** `<prefix>u:{`: what every index key (`<prefix>u:{<tag>}`) starts with. */
const indexBase = (keys: KeyLayout): string => keys.index('').slice(0, -1);

/** The record key base and the 0.1 session key base of a user's sessions. */
const bases = (client: Redis | Cluster, keys: KeyLayout, tag: string): [string, string] => [
  keys.recordBase(isCluster(client) ? tag : null),
  keys.legacyBase(tag),
];

/** The user tag of an index key. */
const tagOf = (keys: KeyLayout, index: string): string => index.slice(indexBase(keys).length, -1);

// The user id stored in one of the index's live records; null when they all vanished meanwhile.
async function userOf(
  client: Redis | Cluster,
  keys: KeyLayout,
  index: string,
  now: number,
): Promise<string | null> {
  const tag = tagOf(keys, index);
  const ids = await client.zrangebyscore(index, `(${now}`, '+inf', 'LIMIT', 0, 5);
  for (const id of ids) {
    const record = await readRecord(client, keys, isCluster(client), tag, id);
    if (record !== null) return record.userId;
  }
  return null;
}
