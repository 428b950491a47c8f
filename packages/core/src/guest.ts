import {
  GUEST_CLASS,
  GUEST_USER_PREFIX,
  isGuestUserId,
  type ResolvedGuest,
} from './config/guest.ts';
import { type CookieInstruction, guestCookie } from './cookies/index.ts';
import type { CreateOptions } from './create-options.ts';
import { formatCredential, parseCredential } from './credential.ts';
import type { RequestInfo } from './device-binding.ts';
import {
  ConfigError,
  ConflictError,
  GuestDataTooLargeError,
  InvalidCredentialError,
} from './errors.ts';
import type { ManagerContext } from './manager-context.ts';
import { newRecord, touched } from './record.ts';
import type { Issued } from './results.ts';
import type { Rotation } from './rotation.ts';
import type { SessionData, SessionRecord } from './store.ts';
import { sha256, timingSafeEqual } from './util/crypto.ts';
import { utf8Encoder } from './util/encoding.ts';

/** A guest session as the application sees it: its data and its deadlines, no user, no secret. */
export interface GuestSession {
  /** Public handle: safe to show and log. */
  readonly id: string;
  readonly createdAt: number;
  /** When it ends unless read or written again: `min(idle, absolute)` deadline. */
  readonly expiresAt: number;
  /** When it ends whatever happens (`guest.lifetime` after its first write). */
  readonly absoluteExpiresAt: number;
  /** The compare-and-set version of its data. */
  readonly version: number;
  readonly data: Readonly<SessionData>;
}

/** What a guest write did. */
export interface GuestWritten {
  readonly guest: GuestSession;
  /** True when this write created the guest session (its cookie is in `cookies`). */
  readonly created: boolean;
  /** Cookies the binding must set: the new guest credential when `created`, else none. */
  readonly cookies: readonly CookieInstruction[];
}

/** New data for a guest session: the data itself, or a function of the current data (retried on a race). */
export type GuestChange = SessionData | ((current: Readonly<SessionData>) => SessionData);

/** Options of {@link GuestSessions.upgrade}: those of `create`, and the guest keys to carry. */
export interface UpgradeOptions extends CreateOptions {
  /**
   * The keys of the guest data to carry into the user session (`['cart']`); the rest is dropped
   * with the guest session. Carried keys are overridden by `data`. @default []
   */
  carry?: readonly string[];
}

const CAS_ATTEMPTS = 8;
const NO_COOKIES: readonly CookieInstruction[] = Object.freeze([]);

/**
 * Guest sessions (`sess.guest`): sessions before login, in every strategy a store-checked
 * credential in the guest cookie (no access token: guest data lives in the store). Every method
 * throws ConfigError unless the `guest` option was given.
 */
export class GuestSessions {
  readonly #ctx: ManagerContext;
  readonly #rotation: Rotation;
  readonly #create: (userId: string, options: CreateOptions) => Promise<Issued>;

  /** @internal Built by the session manager. */
  constructor(
    ctx: ManagerContext,
    rotation: Rotation,
    create: (userId: string, options: CreateOptions) => Promise<Issued>,
  ) {
    this.#ctx = ctx;
    this.#rotation = rotation;
    this.#create = create;
  }

  /** Whether guest sessions are on (the `guest` option). */
  get enabled(): boolean {
    return this.#ctx.config.guest !== null;
  }

  /**
   * The guest session of a guest credential, or null when there is none (missing, malformed,
   * unknown, expired, revoked by `revokeEverything`, or not a guest's). Never creates one. Slides
   * the idle deadline when the touch threshold has passed. @throws StoreError (503)
   */
  async read(credential: string | null | undefined): Promise<GuestSession | null> {
    const config = this.#config('read');
    const record = await this.#load(credential);
    if (record === null) return null;
    const now = this.#ctx.now();
    const fresh = this.#rotation.touchDue(record, config.cls, now)
      ? await this.#rotation.touch(record, config.cls, now)
      : record;
    return toGuest(fresh);
  }

  /**
   * Writes guest data: replaces the data of the credential's guest session, or creates one (new
   * id and secret) when the credential names none. Compare-and-set: a function `change` is
   * re-run on the latest data when a concurrent write won. Call it only from unsafe requests that
   * passed the CSRF checks (the bindings' `guest.set` does both).
   *
   * @throws GuestDataTooLargeError (413) when the data's JSON exceeds `guest.maxBytes`: nothing
   *   is written. ConflictError after repeated lost races; StoreError (503).
   */
  async write(
    credential: string | null | undefined,
    change: GuestChange,
    options: { request?: RequestInfo } = {},
  ): Promise<GuestWritten> {
    const config = this.#config('write');
    const ctx = this.#ctx;
    let current = await this.#load(credential);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const data = typeof change === 'function' ? change(current?.data ?? {}) : change;
      checkSize(data, config.maxBytes);
      const now = ctx.now();
      if (current === null) {
        const { record, secret } = await newRecord(
          {
            userId: '',
            sessionClass: GUEST_CLASS,
            data,
            meta: {
              userAgent: options.request?.userAgent ?? null,
              ip: options.request?.ip ?? null,
              createdFrom: 'guest',
            },
          },
          config.cls,
          now,
        );
        const guest: SessionRecord = { ...record, userId: GUEST_USER_PREFIX + record.id };
        await ctx.store.create(guest);
        const maxAge = Math.floor(config.cls.absoluteMs / 1000);
        const cookie = guestCookie(ctx.config.cookies, formatCredential(guest.id, secret), maxAge);
        return { guest: toGuest(guest), created: true, cookies: [cookie] };
      }
      const next = touched({ ...current, data, version: current.version + 1 }, config.cls, now);
      if (await ctx.store.update(next, current.version)) {
        return { guest: toGuest(next), created: false, cookies: NO_COOKIES };
      }
      current = await this.#load(credential); // changed, upgraded or ended meanwhile
    }
    throw new ConflictError();
  }

  /**
   * Login: ends the guest session and starts a user session for `userId` (new id and secret,
   * against fixation) carrying only the guest keys `carry` names. Atomic against concurrent
   * upgrades of the same guest: exactly one ends it and gets the session; the others fail.
   * `maxSessionsPerUser` applies to the user session as to any login.
   *
   * @throws InvalidCredentialError when the credential names no live guest session (another
   *   upgrade won, or it ended); SessionLimitError, StoreError as `create`.
   */
  async upgrade(
    credential: string | null | undefined,
    userId: string,
    options: UpgradeOptions = {},
  ): Promise<Issued> {
    this.#config('upgrade');
    const { carry = [], ...createOptions } = options;
    if (!Array.isArray(carry) || carry.some((key) => typeof key !== 'string')) {
      throw new ConfigError(['upgrade: carry must be an array of data keys']);
    }
    const record = await this.#load(credential);
    // The delete is the one step exactly one concurrent caller wins (SessionStore.delete).
    if (record === null || !(await this.#ctx.store.delete(record.id))) {
      throw new InvalidCredentialError('unknown');
    }
    const carried: SessionData = {};
    for (const key of carry) {
      const value = Object.hasOwn(record.data, key) ? record.data[key] : undefined;
      if (value !== undefined) carried[key] = value;
    }
    return this.#create(userId, { ...createOptions, data: { ...carried, ...createOptions.data } });
  }

  /** Ends a guest session ("clear my cart"); true when it was live. */
  async end(credential: string | null | undefined): Promise<boolean> {
    this.#config('end');
    const record = await this.#load(credential);
    return record !== null && this.#ctx.store.delete(record.id);
  }

  /** The instruction that clears the guest cookie; none while guest sessions are off. */
  clearCookies(): CookieInstruction[] {
    return this.enabled ? [guestCookie(this.#ctx.config.cookies, '', 0)] : [];
  }

  #config(method: string): ResolvedGuest {
    const guest = this.#ctx.config.guest;
    if (guest === null) throw new ConfigError([`guest.${method}: needs the guest option`]);
    return guest;
  }

  /** The live guest record a credential proves, else null; the secret compared in constant time. */
  async #load(credential: string | null | undefined): Promise<SessionRecord | null> {
    const parsed = parseCredential(credential);
    if (parsed === null) return null;
    const ctx = this.#ctx;
    const record = await ctx.store.get(parsed.id);
    const hash = await sha256(parsed.secret);
    if (record === null || !isGuestUserId(record.userId) || record.sessionClass !== GUEST_CLASS) {
      return null;
    }
    if (!timingSafeEqual(hash, record.secretHash)) return null;
    const now = ctx.now();
    if (now >= record.expiresAt) return null;
    // The global watermark (revokeEverything) ends guests too.
    const notBefore =
      ctx.cache.replica?.notBefore(record.userId, now) ??
      ctx.cache.peekNotBefore(record.userId, now) ??
      (await ctx.cache.notBefore(record.userId));
    return record.createdAt <= notBefore ? null : record;
  }
}

/** Refuses data that is not a JSON object within `maxBytes`. */
function checkSize(data: unknown, maxBytes: number): asserts data is SessionData {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(['guest.write: data must be a JSON object']);
  }
  // Cheap bound first: UTF-8 never takes fewer bytes than UTF-16 takes code units.
  const json = JSON.stringify(data);
  if (json.length > maxBytes || utf8Encoder.encode(json).length > maxBytes) {
    throw new GuestDataTooLargeError(maxBytes);
  }
}

function toGuest(record: SessionRecord): GuestSession {
  return Object.freeze({
    id: record.id,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    version: record.version,
    data: record.data,
  });
}
