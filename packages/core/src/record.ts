import type { ResolvedSessionClass } from './config.ts';
import { mintSecret, mintSessionId } from './credential.ts';
import type { SessionData, SessionMeta, SessionRecord } from './store.ts';
import { sha256 } from './util/crypto.ts';

/** What a new session record is made of besides its timestamps and secret. */
export interface NewRecordInput {
  userId: string;
  sessionClass: string;
  data: SessionData;
  meta: SessionMeta;
}

/** A brand-new record (new id, new secret, generation 0) and the secret, which is never stored. */
export async function newRecord(
  input: NewRecordInput,
  cls: ResolvedSessionClass,
  now: number,
): Promise<{ record: SessionRecord; secret: string }> {
  const secret = mintSecret();
  const absoluteExpiresAt = now + cls.absoluteMs;
  const idleExpiresAt = Math.min(now + cls.idleMs, absoluteExpiresAt);
  const record: SessionRecord = {
    ...input,
    id: mintSessionId(),
    secretHash: await sha256(secret),
    prevSecretHash: null,
    retiredSecretHashes: [],
    rotatedAt: null,
    generation: 0,
    createdAt: now,
    authenticatedAt: now,
    lastActiveAt: now,
    idleExpiresAt,
    absoluteExpiresAt,
    expiresAt: idleExpiresAt,
    retainUntil: idleExpiresAt + cls.noticeMs,
    version: 1,
  };
  return { record, secret };
}

/** `record` marked active at `now`: the idle deadline slides, never past the absolute one. */
export function touched(
  record: SessionRecord,
  cls: ResolvedSessionClass,
  now: number,
): SessionRecord {
  const idleExpiresAt = Math.min(now + cls.idleMs, record.absoluteExpiresAt);
  return {
    ...record,
    lastActiveAt: now,
    idleExpiresAt,
    expiresAt: idleExpiresAt,
    retainUntil: idleExpiresAt + cls.noticeMs,
  };
}
