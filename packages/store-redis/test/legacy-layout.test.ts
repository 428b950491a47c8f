import { createHash } from 'node:crypto';
import type { SessionRecord } from '@sess/core';
import { makeRecord, randomId } from '@sess/store-test-kit';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import { redisStore } from '../src/index.ts';
import { describeRedis, randomPrefix, removeKeys, testClient } from './support.ts';

const admin = testClient({ lazyConnect: true });
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await removeKeys(admin, prefix);
});
afterAll(() => admin.disconnect());

const tagOf = (userId: string): string =>
  createHash('sha256').update(userId).digest('base64url').slice(0, 22);

/**
 * Writes `record` as @sess/store-redis 0.1 did: a hash (r = JSON, v, x, c) at s:{tag}:id, its id in
 * the user's index, and a pointer id → tag, all expiring at max(expiresAt, retainUntil).
 */
export async function writeLegacy(
  client: Redis | Cluster,
  prefix: string,
  record: SessionRecord,
  { withCreatedAt = true } = {},
): Promise<void> {
  const tag = tagOf(record.userId);
  const k = Math.ceil(Math.max(record.expiresAt, record.retainUntil ?? record.expiresAt));
  const session = `${prefix}s:{${tag}}:${record.id}`;
  const fields = [
    'r',
    JSON.stringify(record),
    'v',
    record.version,
    'x',
    Math.ceil(record.expiresAt),
  ];
  await client.hset(session, ...fields, ...(withCreatedAt ? ['c', record.createdAt] : []));
  await client.pexpireat(session, k);
  await client.zadd(`${prefix}u:{${tag}}`, k, record.id);
  await client.pexpireat(`${prefix}u:{${tag}}`, k);
  await client.set(`${prefix}p:${record.id}`, tag, 'PXAT', k);
}

async function keysOf(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found.sort();
}

function setup() {
  const prefix = randomPrefix();
  prefixes.push(prefix);
  return { prefix, store: redisStore({ client: admin, prefix }) };
}

describeRedis(
  'redisStore: records written by 0.1 (a hash and a pointer) stay usable until they expire',
  () => {
    it('get, getExpired, listByUser and stats read them next to current records', async () => {
      const { prefix, store } = setup();
      const now = Date.now();
      const userId = `user-${randomId()}`;
      const old = makeRecord(now, { userId, meta: { userAgent: 'x'.repeat(200), ip: '10.0.0.1' } });
      const retained = makeRecord(now - 120_000, {
        userId,
        expiresAt: now - 1_000,
        retainUntil: now + 600_000,
      });
      const current = makeRecord(now, { userId });
      await writeLegacy(admin, prefix, old);
      await writeLegacy(admin, prefix, retained);
      await store.create(current);

      expect(await store.get(old.id)).toEqual(old);
      expect(await store.get(retained.id)).toBeNull();
      expect(await store.getExpired(retained.id)).toEqual(retained);
      const listed = await store.listByUser(userId);
      expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [old, current].sort((a, b) => a.id.localeCompare(b.id)),
      );
      const stats = await store.stats(now, { expiringBefore: now, topUsers: 1 });
      expect(stats).toMatchObject({ sessions: 2, users: 1, topUsers: [{ userId, sessions: 2 }] });
    });

    it('update rewrites one in the current layout and drops its hash and pointer; a stale version is refused', async () => {
      const { prefix, store } = setup();
      const now = Date.now();
      const old = makeRecord(now);
      await writeLegacy(admin, prefix, old);
      expect(await store.update({ ...old, version: 5 }, 4)).toBe(false);
      const touched = { ...old, version: old.version + 1, expiresAt: now + 7_200_000 };
      expect(await store.update(touched, old.version)).toBe(true);
      expect(await store.get(old.id)).toEqual(touched);
      expect(await keysOf(prefix)).toEqual(
        [`${prefix}r:${old.id}`, `${prefix}u:{${tagOf(old.userId)}}`].sort(),
      );
      expect(await admin.pexpiretime(`${prefix}r:${old.id}`)).toBe(touched.expiresAt);
    });

    it('delete, deleteByUser and a duplicate create treat them as the sessions they are', async () => {
      const { prefix, store } = setup();
      const now = Date.now();
      const userId = `user-${randomId()}`;
      const [a, b, c] = [1, 2, 3].map(() => makeRecord(now, { userId }));
      for (const record of [a!, b!]) await writeLegacy(admin, prefix, record);
      await store.create(c!);
      await expect(store.create({ ...a! })).rejects.toMatchObject({ reason: 'duplicate-id' });

      expect(await store.delete(a!.id)).toBe(true);
      expect(await store.delete(a!.id)).toBe(false);
      expect(await store.get(a!.id)).toBeNull();
      expect(await store.deleteByUser(userId)).toBe(2);
      expect(await keysOf(prefix)).toEqual([]);
    });

    it('createCapped counts and evicts them, with or without their createdAt field', async () => {
      const { prefix, store } = setup();
      const now = Date.now();
      const userId = `user-${randomId()}`;
      const [older, newer] = [2_000, 1_000].map((age) =>
        makeRecord(now, { userId, createdAt: now - age }),
      );
      await writeLegacy(admin, prefix, older!, { withCreatedAt: false });
      await writeLegacy(admin, prefix, newer!);
      const next = makeRecord(now, { userId });
      const cap = { max: 2, evictOldest: true, notBefore: 0, now };
      expect(await store.createCapped(next, cap)).toEqual({ created: true, evicted: [older!.id] });
      expect((await store.listByUser(userId)).map((r) => r.id).sort()).toEqual(
        [newer!.id, next.id].sort(),
      );
      expect(await admin.exists(`${prefix}p:${older!.id}`)).toBe(0);
    });
  },
);
