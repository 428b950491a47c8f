import {
  type Clock,
  GLOBAL_SCOPE,
  type SessionRecord,
  type SessionStore,
  StoreError,
} from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import type { Broadcast } from './broadcast.ts';
import { isCluster } from './client.ts';
import type { Durability, Writes } from './durability.ts';
import { type KeyLayout, userTag } from './keys.ts';
import { bodyStart, decodeRecord, encodeRecord, readRecord } from './record.ts';
import { revocationLog } from './revocation-log.ts';
import {
  CREATE,
  CREATE_CAPPED,
  DELETE,
  DELETE_ONE,
  DELETE_USER,
  GET_LEGACY,
  LIST,
  runScript,
  UPDATE,
} from './scripts.ts';

/** How many id → user-slot lookups a store on a Cluster remembers (about 100 bytes each), so that `get` is a plain GET. */
export const TAG_CACHE_SIZE = 10_000;

/** The store's data operations: everything in the contract but `name`, `subscribe` and `close`. */
export type Operations = Required<
  Omit<SessionStore, 'name' | 'subscribe' | 'close' | 'deleteExpired' | 'stats'>
>;

export interface Context {
  client: Redis | Cluster;
  keys: KeyLayout;
  clock: Clock;
  broadcast: Broadcast;
  watermarkTtlMs: number;
  /** Where writes go, and what they wait for afterwards (see durability.ts). */
  writes: Durability;
}

type Creation = 'create' | 'createCapped';
const duplicate = (operation: Creation): StoreError =>
  new StoreError(operation, { reason: 'duplicate-id' });

// Redis takes whole milliseconds; a fraction rounds up so that nothing expires early.
function expireAt(ms: number): number {
  if (!Number.isFinite(ms)) {
    throw new TypeError('redisStore: times must be finite epoch milliseconds');
  }
  return Math.ceil(ms);
}

// Until when the backend keeps a record: its expiry, or its retention when later.
const keepUntil = (record: SessionRecord): number =>
  expireAt(Math.max(record.expiresAt, record.retainUntil ?? record.expiresAt));

export function createOperations({
  client,
  keys,
  clock,
  broadcast,
  watermarkTtlMs,
  writes,
}: Context): Operations {
  const cluster = isCluster(client);
  // A record key names its user's hash tag in Cluster only (see keys.ts).
  const recordKey = (tag: string, id: string): string => keys.record(cluster ? tag : null, id);
  const recordBase = (tag: string): string => keys.recordBase(cluster ? tag : null);

  // Cluster only: id → tag, filled by create and get. Safe to keep: a session id belongs to one user
  // for its whole life, and a deleted session reads as missing anyway because its key is gone. A
  // hit makes get a plain GET. A single node needs no tag to find a record.
  const tags = new Map<string, string>();
  const remember = (id: string, tag: string): void => {
    if (!cluster) return;
    if (tags.size >= TAG_CACHE_SIZE) tags.delete(tags.keys().next().value as string);
    tags.set(id, tag);
  };
  const tagOf = async (id: string): Promise<string | null> =>
    tags.get(id) ?? (await client.get(keys.pointer(id)));

  // The keys CREATE and CREATE_CAPPED work on. A single node takes the pointer of 0.1 too (a live
  // 0.1 record with this id makes it a duplicate); in Cluster the pointer lives in another slot
  // and the caller claims it first.
  const insertKeys = (tag: string, id: string): string[] =>
    cluster
      ? [recordKey(tag, id), keys.index(tag)]
      : [recordKey(tag, id), keys.index(tag), keys.pointer(id)];
  const value = (record: SessionRecord): string => encodeRecord(record, expireAt(record.expiresAt));

  // In Cluster the pointer (another slot) is claimed first: it is the id's claim across all users.
  const claimPointer = async (
    operation: Creation,
    w: Writes,
    record: SessionRecord,
    tag: string,
  ): Promise<void> => {
    const pointer = keys.pointer(record.id);
    const claimed = await w.send(pointer, (c) =>
      c.set(pointer, tag, 'PXAT', keepUntil(record), 'NX'),
    );
    if (claimed === null) throw duplicate(operation);
  };
  const unlinkPointers = (w: Writes, ids: readonly string[]): Promise<unknown> =>
    Promise.all(ids.map((id) => w.send(keys.pointer(id), (c) => c.unlink(keys.pointer(id)))));

  // The stored record with this id, live or retained: `get` and `getExpired` judge it by its times.
  // A single node reads the record key; only when it is missing does it look for a 0.1 record.
  const lookup = async (id: string): Promise<SessionRecord | null> => {
    if (!cluster) {
      const stored = await client.get(keys.record(null, id));
      if (stored !== null) return decodeRecord(id, stored);
      const args = [keys.prefix, id];
      return decodeRecord(
        id,
        (await runScript(client, GET_LEGACY, [keys.pointer(id)], args)) as string | null,
      );
    }
    const tag = await tagOf(id);
    if (tag === null) return null;
    const record = await readRecord(client, keys, true, tag, id);
    if (record) remember(id, tag);
    return record;
  };

  const log = revocationLog({ client, keys, clock, watermarkTtlMs, cluster });

  return {
    async create(record) {
      const w = writes('create');
      const tag = userTag(record.userId);
      if (cluster) await claimPointer('create', w, record, tag);
      const args = [value(record), keepUntil(record), clock.now(), record.id];
      if ((await w.script(CREATE, insertKeys(tag, record.id), args)) !== 1) {
        throw duplicate('create');
      }
      await w.settle();
      remember(record.id, tag);
    },

    async createCapped(record, { max, evictOldest, notBefore, now }) {
      if (!Number.isInteger(max) || max < 1) {
        throw new TypeError('redisStore.createCapped: cap.max must be an integer >= 1');
      }
      const w = writes('createCapped');
      const tag = userTag(record.userId);
      if (cluster) await claimPointer('createCapped', w, record, tag);
      const args = [
        value(record),
        keepUntil(record),
        clock.now(),
        record.id,
        recordBase(tag),
        keys.legacyBase(tag),
        cluster ? '' : keys.pointerBase, // '': evicted pointers are left to us
        max,
        evictOldest ? 1 : 0,
        notBefore,
        now,
      ];
      const [created, evicted = []] = (await w.script(
        CREATE_CAPPED,
        insertKeys(tag, record.id),
        args,
      )) as [number, string[]?];
      if (created === -1) throw duplicate('createCapped');
      for (const id of evicted) tags.delete(id);
      if (cluster) {
        const unclaimed = created === 1 ? evicted : [...evicted, record.id];
        await unlinkPointers(w, unclaimed);
      }
      await w.settle();
      if (created === 1) remember(record.id, tag);
      return { created: created === 1, evicted };
    },

    async get(id) {
      const record = await lookup(id);
      return record && record.expiresAt > clock.now() ? record : null;
    },

    async getExpired(id) {
      const record = await lookup(id);
      if (!record) return null;
      const now = clock.now();
      const retainUntil = record.retainUntil ?? record.expiresAt;
      return record.expiresAt <= now && retainUntil > now ? record : null;
    },

    async update(record, expectedVersion) {
      const tag = userTag(record.userId);
      const k = keepUntil(record);
      const args = [
        value(record),
        expectedVersion,
        clock.now(),
        record.id,
        k,
        bodyStart(record.userId),
      ];
      const updateKeys = [
        recordKey(tag, record.id),
        keys.index(tag),
        keys.legacy(tag, record.id),
        ...(cluster ? [] : [keys.pointer(record.id)]),
      ];
      const w = writes('update');
      const result = await w.script(UPDATE, updateKeys, args);
      const pointer = keys.pointer(record.id);
      if (result === 2) await w.send(pointer, (c) => c.pexpireat(pointer, k, 'GT'));
      await w.settle();
      return result !== 0;
    },

    async delete(id) {
      const now = clock.now();
      const w = writes('delete');
      if (!cluster) {
        const args = [keys.prefix, id, now];
        const [live, stored] = (await w.script(
          DELETE_ONE,
          [keys.record(null, id), keys.pointer(id)],
          args,
        )) as [number, string?];
        // Its index entry: a reader skips an entry without a record, so a failure here is harmless.
        const userId = stored === undefined ? null : decodeRecord(id, stored)?.userId;
        if (userId != null) {
          const index = keys.index(userTag(userId));
          await w.send(index, (c) => c.zrem(index, id));
        }
        await w.settle();
        return live === 1;
      }
      const tag = await tagOf(id);
      if (tag === null) return false;
      const deleteKeys = [recordKey(tag, id), keys.index(tag), keys.legacy(tag, id)];
      const live = await w.script(DELETE, deleteKeys, [now, id]);
      // After the session: a pointer left behind by a failure here points at nothing and expires.
      await unlinkPointers(w, [id]);
      await w.settle();
      tags.delete(id);
      return live === 1;
    },

    async listByUser(userId) {
      const tag = userTag(userId);
      const args = [recordBase(tag), keys.legacyBase(tag), clock.now()];
      const rows = (await runScript(client, LIST, [keys.index(tag)], args)) as string[];
      const records: SessionRecord[] = [];
      for (let i = 0; i + 1 < rows.length; i += 2)
        records.push(decodeRecord(rows[i]!, rows[i + 1]!)!);
      return records;
    },

    async deleteByUser(userId, deleteOptions) {
      const tag = userTag(userId);
      const pointers = cluster ? '' : keys.pointerBase; // '': the script leaves them to us
      const except = deleteOptions?.except ?? [];
      const args = [recordBase(tag), keys.legacyBase(tag), pointers, clock.now(), ...except];
      const w = writes('deleteByUser');
      const [count, gone] = (await w.script(DELETE_USER, [keys.index(tag)], args)) as [
        number,
        string[],
      ];
      for (const id of gone) tags.delete(id);
      if (cluster) await unlinkPointers(w, gone);
      await w.settle();
      return count;
    },

    async deny(key, expiresAt) {
      const w = writes('deny');
      const head = broadcast.head('deny', key);
      const kept = await log.raise(w, log.deny(key, expiresAt), expireAt(expiresAt), head);
      // Delivered here even if the replicas fail to acknowledge: refusing more is the safe side.
      broadcast.deliver({ type: 'deny', key, expiresAt: kept });
      await w.settle();
    },

    async isDenied(key) {
      const until = await client.get(keys.deny(key));
      return until !== null && Number(until) > clock.now();
    },

    async setNotBefore(scope, at) {
      const w = writes('setNotBefore');
      const head = broadcast.head('not-before', scope);
      const expiry = expireAt(at) + watermarkTtlMs;
      const kept = await log.raise(w, log.mark(scope, at), expiry, head);
      broadcast.deliver({ type: 'not-before', scope, at: kept });
      await w.settle();
    },

    async getNotBefore(userId) {
      const own = keys.watermark(userId);
      const global = keys.watermark(GLOBAL_SCOPE);
      // Two slots in Cluster: two commands, sent together.
      const [a, b] = cluster
        ? await Promise.all([client.get(own), client.get(global)])
        : await client.mget(own, global);
      return Math.max(Number(a ?? 0), Number(b ?? 0));
    },

    recentRevocations: (since, now) => log.recent(since, now),
  };
}
