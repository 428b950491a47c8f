import type { BindingPolicy } from './config.ts';
import type { SessionMeta } from './store.ts';
import { hmac, importHmacKey, timingSafeEqual } from './util/crypto.ts';
import { type SyncHmac, syncHmac } from './util/node-crypto.ts';

/** Facts about the current request that binding checks and device lists use. */
export interface RequestInfo {
  /** The `User-Agent` header. */
  userAgent?: string | null;
  /** The client IP address. */
  ip?: string | null;
}

/** One binding check that found the device changed, and what the policy says to do. */
export interface BindingMismatch {
  readonly kind: 'user-agent' | 'ip';
  readonly action: 'event' | 'revoke';
}

type Kind = BindingMismatch['kind'];
const MAC_LENGTH = 22; // 128 bits of HMAC-SHA256, base64url

/**
 * The device-binding rules: compare a request's User-Agent and IP with the ones a session was
 * created from. The record's facts serve database and hybrid; the jwt strategy, which reads no
 * record per request, carries them in the access token as the `bnd` claim: a keyed hash (never the
 * value: an IP is personal data, and a token is readable by whoever holds it) per bound fact, so
 * equality can be checked without the store and nothing else can be learnt from it.
 */
export class DeviceBinding {
  readonly #policies: readonly (readonly [Kind, BindingPolicy])[];
  readonly #keys: Promise<CryptoKey[]>;
  #sync: SyncHmac[] | null = null;

  constructor(
    policy: { userAgent: BindingPolicy; ip: BindingPolicy },
    keys: Promise<readonly Uint8Array[]>,
  ) {
    this.#policies = (
      [
        ['user-agent', policy.userAgent],
        ['ip', policy.ip],
      ] as const
    ).filter(([, p]) => p !== 'off');
    this.#keys = keys.then((raw) => Promise.all(raw.map((k) => importHmacKey(k))));
    // The synchronous path adopts the keys once imported; a failure surfaces on first async use.
    this.#keys.then(
      (imported) => {
        const macs = imported.map((k) => syncHmac(k));
        this.#sync = macs.every((m) => m !== null) ? (macs as SyncHmac[]) : null;
      },
      () => {},
    );
  }

  /** Whether any policy is on: when false, nothing here is ever called. */
  get active(): boolean {
    return this.#policies.length > 0;
  }

  /** The mismatches between the device a session was created on and this request. */
  compare(meta: SessionMeta, request: RequestInfo | undefined): BindingMismatch[] {
    if (!request) return [];
    const found: BindingMismatch[] = [];
    for (const [kind, policy] of this.#policies) {
      const expected = kind === 'ip' ? meta.ip : meta.userAgent;
      const actual = factOf(kind, request);
      if (!expected || !actual || expected === actual) continue;
      found.push({ kind, action: policy as BindingMismatch['action'] });
    }
    return found;
  }

  /**
   * The `bnd` claim for a session's device: one keyed hash per bound fact (empty when the fact is
   * unknown or its policy is off), joined by `.`; undefined when no policy is on.
   */
  async claim(meta: SessionMeta): Promise<string | undefined> {
    if (!this.active) return undefined;
    const [key] = await this.#keys;
    const parts: string[] = [];
    for (const [kind] of this.#policies) {
      const value = kind === 'ip' ? meta.ip : meta.userAgent;
      parts.push(value ? (await hmac(key!, label(kind, value))).slice(0, MAC_LENGTH) : '');
    }
    return parts.join('.');
  }

  /**
   * Compares a token's `bnd` claim with the request, synchronously where node:crypto is available;
   * `undefined` when it is not (call {@link compareClaimAsync}). A token without the claim was
   * issued before binding was turned on (or tampered with, which its signature rules out): it is
   * treated as bound to nothing known, so only its refresh is checked, against the record.
   */
  compareClaim(
    claim: unknown,
    request: RequestInfo | undefined,
  ): readonly BindingMismatch[] | undefined {
    if (!request || typeof claim !== 'string') return NONE;
    const macs = this.#sync;
    if (!macs) return undefined;
    return this.#compare(claim, request, (text) => macs.map((mac) => mac.sign(text)));
  }

  /** {@link compareClaim} on Web Crypto. */
  async compareClaimAsync(
    claim: unknown,
    request: RequestInfo | undefined,
  ): Promise<readonly BindingMismatch[]> {
    if (!request || typeof claim !== 'string') return NONE;
    const keys = await this.#keys;
    const candidates = new Map<string, string[]>();
    for (const [kind] of this.#policies) {
      const actual = factOf(kind, request);
      if (actual) {
        const text = label(kind, actual);
        candidates.set(text, await Promise.all(keys.map((k) => hmac(k, text))));
      }
    }
    return this.#compare(claim, request, (text) => candidates.get(text) ?? []);
  }

  #compare(
    claim: string,
    request: RequestInfo,
    macsOf: (text: string) => string[],
  ): readonly BindingMismatch[] {
    const parts = claim.split('.');
    let found: readonly BindingMismatch[] = NONE;
    this.#policies.forEach(([kind, policy], i) => {
      const expected = parts[i];
      const actual = factOf(kind, request);
      if (!expected || !actual) return;
      // Every key, so a secret rotation does not read as a changed device.
      const match = macsOf(label(kind, actual)).some((mac) =>
        timingSafeEqual(mac.slice(0, MAC_LENGTH), expected),
      );
      if (!match) found = [...found, { kind, action: policy as BindingMismatch['action'] }];
    });
    return found;
  }
}

const NONE: readonly BindingMismatch[] = Object.freeze([]);

function factOf(kind: Kind, request: RequestInfo): string | null | undefined {
  return kind === 'ip' ? request.ip : request.userAgent;
}

function label(kind: Kind, value: string): string {
  return `bind|v1|${kind}|${value}`;
}
