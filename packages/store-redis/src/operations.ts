import { type Clock, GLOBAL_SCOPE, type SessionRecord, type SessionStore } from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import type { Broadcast } from './broadcast.ts';
import { isCluster } from './client.ts';
import { type KeyLayout, userTag } from './keys.ts';
import {
  CREATE,
  CREATE_CAPPED,
  DELETE,
  DELETE_BY_POINTER,
  DELETE_USER,
  GET_BY_POINTER,
  LIST,
  RAISE,
  runScript,
  UPDATE,
} from './scripts.ts';

/** How many id → user-slot lookups a store remembers (about 100 bytes each), so that `get` is a plain HGET. */
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
}

const duplicate = (): Error =>
  new Error('redisStore.create: a session with this id already exists');

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
}: Context): Operations {
  const cluster = isCluster(client);

  // id → tag, filled by create and get. Safe to keep: a session id belongs to one user for its whole
  // life, and a deleted session reads as missing anyway because its key is gone. A hit makes get a
  // plain HGET, the cheapest read Redis has.
  const tags = new Map<string, string>();
  const remember = (id: string, tag: string): void => {
    if (tags.size >= TAG_CACHE_SIZE) tags.delete(tags.keys().next().value as string);
    tags.set(id, tag);
  };
  const tagOf = async (id: string): Promise<string | null> =>
    tags.get(id) ?? (await client.get(keys.pointer(id)));

  // The keys a per-session script works on. A single node takes the pointer too; in Cluster the
  // pointer lives in another slot, so it gets its own command.
  const sessionKeys = (tag: string, id: string): string[] =>
    cluster
      ? [keys.session(tag, id), keys.index(tag)]
      : [keys.session(tag, id), keys.index(tag), keys.pointer(id)];

  // CREATE and CREATE_CAPPED take the same leading arguments.
  const insertArgs = (record: SessionRecord, tag: string) => [
    JSON.stringify(record),
    record.version,
    expireAt(record.expiresAt),
    keepUntil(record),
    record.createdAt,
    clock.now(),
    record.id,
    tag,
  ];

  // In Cluster the pointer (another slot) is claimed first: it is the id's claim across all users.
  const claimPointer = async (record: SessionRecord, tag: string): Promise<void> => {
    if (
      (await client.set(keys.pointer(record.id), tag, 'PXAT', keepUntil(record), 'NX')) === null
    ) {
      throw duplicate();
    }
  };

  // The stored record with this id, live or retained: `get` and `getExpired` judge it by its times.
  const lookup = async (id: string): Promise<SessionRecord | null> => {
    const known = tags.get(id);
    let json: unknown;
    if (known !== undefined) {
      json = await client.hget(keys.session(known, id), 'r');
    } else if (!cluster) {
      json = await runScript(client, GET_BY_POINTER, [keys.pointer(id)], [keys.prefix, id]);
    } else {
      const tag = await client.get(keys.pointer(id));
      json = tag === null ? null : await client.hget(keys.session(tag, id), 'r');
    }
    if (json === null) return null;
    const record = JSON.parse(json as string) as SessionRecord;
    if (known === undefined) remember(id, userTag(record.userId));
    return record;
  };

  const raise = async (key: string, value: number, expiresAt: number, head: string) =>
    Number(await runScript(client, RAISE, [key], [String(value), expiresAt, keys.channel, head]));

  return {
    async create(record) {
      const tag = userTag(record.userId);
      if (cluster) await claimPointer(record, tag);
      const args = insertArgs(record, tag);
      if ((await runScript(client, CREATE, sessionKeys(tag, record.id), args)) !== 1) {
        throw duplicate();
      }
      remember(record.id, tag);
    },

    async createCapped(record, { max, evictOldest, notBefore, now }) {
      if (!Number.isInteger(max) || max < 1) {
        throw new TypeError('redisStore.createCapped: cap.max must be an integer >= 1');
      }
      const tag = userTag(record.userId);
      if (cluster) await claimPointer(record, tag);
      const args = [
        ...insertArgs(record, tag),
        keys.sessionBase(tag),
        cluster ? '' : keys.pointerBase, // '': evicted pointers are left to us
        max,
        evictOldest ? 1 : 0,
        notBefore,
        now,
      ];
      const [created, evicted = []] = (await runScript(
        client,
        CREATE_CAPPED,
        sessionKeys(tag, record.id),
        args,
      )) as [number, string[]?];
      if (created === -1) throw duplicate();
      for (const id of evicted) tags.delete(id);
      if (cluster) {
        const unclaimed = created === 1 ? evicted : [...evicted, record.id];
        await Promise.all(unclaimed.map((id) => client.unlink(keys.pointer(id))));
      }
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
        JSON.stringify(record),
        expectedVersion,
        record.version,
        expireAt(record.expiresAt),
        clock.now(),
        record.id,
        k,
      ];
      const result = await runScript(client, UPDATE, sessionKeys(tag, record.id), args);
      if (result === 2) await client.pexpireat(keys.pointer(record.id), k, 'GT');
      return result !== 0;
    },

    async delete(id) {
      const now = clock.now();
      if (!cluster) {
        const args = [keys.prefix, id, now];
        tags.delete(id);
        return (await runScript(client, DELETE_BY_POINTER, [keys.pointer(id)], args)) === 1;
      }
      const tag = await tagOf(id);
      if (tag === null) return false;
      const live = await runScript(
        client,
        DELETE,
        [keys.session(tag, id), keys.index(tag)],
        [now, id],
      );
      // After the session: a pointer left behind by a failure here points at nothing and expires.
      await client.unlink(keys.pointer(id));
      tags.delete(id);
      return live === 1;
    },

    async listByUser(userId) {
      const tag = userTag(userId);
      const args = [keys.sessionBase(tag), clock.now()];
      const rows = (await runScript(client, LIST, [keys.index(tag)], args)) as string[];
      return rows.map((json) => JSON.parse(json) as SessionRecord);
    },

    async deleteByUser(userId, deleteOptions) {
      const tag = userTag(userId);
      const pointers = cluster ? '' : keys.pointerBase; // '': the script leaves them to us
      const except = deleteOptions?.except ?? [];
      const args = [keys.sessionBase(tag), pointers, clock.now(), ...except];
      const [count, gone] = (await runScript(client, DELETE_USER, [keys.index(tag)], args)) as [
        number,
        string[],
      ];
      for (const id of gone) tags.delete(id);
      if (cluster) await Promise.all(gone.map((id) => client.unlink(keys.pointer(id))));
      return count;
    },

    async deny(key, expiresAt) {
      const head = broadcast.head('deny', key);
      const kept = await raise(keys.deny(key), expiresAt, expireAt(expiresAt), head);
      broadcast.deliver({ type: 'deny', key, expiresAt: kept });
    },

    async isDenied(key) {
      const until = await client.get(keys.deny(key));
      return until !== null && Number(until) > clock.now();
    },

    async setNotBefore(scope, at) {
      const head = broadcast.head('not-before', scope);
      const kept = await raise(keys.watermark(scope), at, expireAt(at) + watermarkTtlMs, head);
      broadcast.deliver({ type: 'not-before', scope, at: kept });
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
  };
}
