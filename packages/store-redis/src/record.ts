import type { SessionMeta, SessionRecord } from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import type { KeyLayout } from './keys.ts';

// A session is one string value: a head the Lua scripts read ("version:x:createdAt|", x being the
// expiry rounded up to a whole millisecond) and a body only this module reads. The body is a JSON
// array in a fixed order, without the id (the key names it), the version or createdAt (both in the
// head); times are base-36 offsets from createdAt (exact for integer times; any other number is
// kept as it is). One string, rather than a hash whose 200-character user agent pushes Redis out of
// its compact listpack encoding, is what brings a session from ~1 KB to ~0.5 KB. Records written
// by 0.1 (a hash: r = the record JSON, v, x, c) reach this module in the same head-and-body form
// with the JSON as body; it starts with "{" where a current body starts with "[".

type Time = string | number | null;

const KNOWN_META = new Set(['userAgent', 'ip', 'createdFrom']);

/** The stored value of `record`. */
export function encodeRecord(record: SessionRecord, x: number): string {
  const {
    id: _id,
    userId,
    secretHash,
    prevSecretHash,
    retiredSecretHashes,
    rotatedAt,
    generation,
    createdAt,
    authenticatedAt,
    lastActiveAt,
    idleExpiresAt,
    absoluteExpiresAt,
    expiresAt,
    retainUntil,
    sessionClass,
    version,
    data,
    meta,
    ...rest
  } = record;
  const t = (time: number | null): Time =>
    time !== null &&
    Number.isSafeInteger(time) &&
    Number.isSafeInteger(createdAt) &&
    time >= createdAt
      ? (time - createdAt).toString(36)
      : time;
  const plainMeta = Object.keys(meta).every((key) => KNOWN_META.has(key));
  const body: unknown[] = [
    userId,
    secretHash,
    prevSecretHash,
    retiredSecretHashes,
    t(rotatedAt),
    generation,
    t(authenticatedAt),
    t(lastActiveAt),
    t(idleExpiresAt),
    t(absoluteExpiresAt),
    t(expiresAt),
    retainUntil === undefined ? 0 : t(retainUntil),
    sessionClass,
    data,
    plainMeta ? [field(meta.userAgent), field(meta.ip), field(meta.createdFrom)] : meta,
  ];
  if (Object.keys(rest).length > 0) body.push(rest);
  return `${version}:${x}:${createdAt}|${JSON.stringify(body)}`;
}

// 0 marks a meta field that is absent (its values are strings or null); null stays null.
const field = (value: string | null | undefined): string | null | 0 =>
  value === undefined ? 0 : value;

/** The record in a stored value (either layout), or null when there is none. */
export function decodeRecord(id: string, value: string | null): SessionRecord | null {
  if (value === null) return null;
  const bar = value.indexOf('|');
  if (value.charCodeAt(bar + 1) === LEFT_BRACE)
    return JSON.parse(value.slice(bar + 1)) as SessionRecord;
  // The head, "version:x:createdAt", read in place: this runs on every request of a session.
  const first = value.indexOf(':');
  const createdAt = Number(value.slice(value.indexOf(':', first + 1) + 1, bar));
  const b = JSON.parse(value.slice(bar + 1)) as unknown[];
  const record: SessionRecord = {
    id,
    userId: b[0] as string,
    secretHash: b[1] as string,
    prevSecretHash: b[2] as string | null,
    retiredSecretHashes: b[3] as string[],
    rotatedAt: b[4] === null ? null : timeAt(createdAt, b[4]),
    generation: b[5] as number,
    createdAt,
    authenticatedAt: timeAt(createdAt, b[6]),
    lastActiveAt: timeAt(createdAt, b[7]),
    idleExpiresAt: timeAt(createdAt, b[8]),
    absoluteExpiresAt: timeAt(createdAt, b[9]),
    expiresAt: timeAt(createdAt, b[10]),
    sessionClass: b[12] as string,
    version: Number(value.slice(0, first)),
    data: b[13] as SessionRecord['data'],
    meta: Array.isArray(b[14]) ? metaOf(b[14]) : (b[14] as SessionMeta),
  };
  if (b[11] !== 0) record.retainUntil = timeAt(createdAt, b[11]);
  if (b[15] !== undefined) Object.assign(record, b[15]);
  return record;
}

const LEFT_BRACE = 0x7b;

/** A time of the body: a base-36 offset from createdAt, or the number as it was written. */
const timeAt = (createdAt: number, v: unknown): number =>
  typeof v === 'string' ? createdAt + fromBase36(v) : (v as number);

/**
 * `parseInt(text, 36)` for what `toString(36)` writes of a safe non-negative integer, by hand:
 * six of these run on every request of a session, and V8's parseInt is fast in base 10 only.
 */
function fromBase36(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c <= 0x39 ? c - 0x30 : c - 0x57; // '0'-'9', then 'a'-'z'
    if (digit < 0 || digit > 35 || (c > 0x39 && c < 0x61)) return parseInt(text, 36);
    n = n * 36 + digit;
  }
  return text.length === 0 ? Number.NaN : n;
}

function metaOf([userAgent, ip, createdFrom]: unknown[]): SessionMeta {
  const meta: SessionMeta = {};
  if (userAgent !== 0) meta.userAgent = userAgent as string | null;
  if (ip !== 0) meta.ip = ip as string | null;
  if (createdFrom !== 0) meta.createdFrom = createdFrom as string | null;
  return meta;
}

/** What a current body starts with for `userId`: the UPDATE script checks the stored record's user by it. */
export const bodyStart = (userId: string): string => `[${JSON.stringify(userId)},`;

/** The record `id` of the user with hash tag `tag`, in either layout; null when there is none. */
export async function readRecord(
  client: Redis | Cluster,
  keys: KeyLayout,
  cluster: boolean,
  tag: string,
  id: string,
): Promise<SessionRecord | null> {
  const stored = await client.get(keys.record(cluster ? tag : null, id));
  if (stored !== null) return decodeRecord(id, stored);
  const json = await client.hget(keys.legacy(tag, id), 'r');
  return json === null ? null : (JSON.parse(json) as SessionRecord);
}
