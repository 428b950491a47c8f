import { type AuthFailureReason, InvalidCredentialError } from '../errors.ts';
import { decodeBase64url, isBase64url } from '../util/encoding.ts';
import type { KeyAlgorithm } from './key-types.ts';
import { parseStrictJsonObject } from './strict-json.ts';

/** The longest access token accepted, in characters. */
export const DEFAULT_MAX_TOKEN_LENGTH = 4096;

// Our tokens carry exactly these; anything else (crit, jwk, jku, x5u, x5c, b64, ...) either asks
// the verifier to trust key material chosen by the sender or changes how the token is read.
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);
const ACCESS_TYP = new Set(['at+jwt', 'application/at+jwt']);

/** A header segment that passed its checks. */
export interface AcceptedHeader {
  readonly header: Readonly<Record<string, unknown>>;
  readonly kid: string;
  readonly alg: KeyAlgorithm;
}

/** A token that passed the structural checks, decoded once. */
export interface PrecheckedToken extends AcceptedHeader {
  readonly payload: Record<string, unknown>;
}

/** What the precheck needs to know: the limit, and the algorithm each known kid is bound to. */
export interface PrecheckOptions {
  /** @default 4096 */
  readonly maxLength?: number;
  /** The algorithm of the key with this kid, or undefined when there is none (a pure function). */
  readonly algOf: (kid: string) => KeyAlgorithm | undefined;
  /**
   * Header segments already accepted under this `algOf`. Every token of one key carries the same
   * header, so its checks run once; filled up to {@link HEADER_MEMO_SIZE} entries.
   */
  readonly headers?: Map<string, AcceptedHeader>;
}

/** The most header segments a memo keeps: a keyring's keys, with room for a few spellings. */
export const HEADER_MEMO_SIZE = 32;

function refuse(reason: AuthFailureReason = 'malformed'): never {
  throw new InvalidCredentialError(reason);
}

/**
 * Structural checks on a compact access JWT, run before any cryptography or jose parsing, so
 * that exactly one byte string is accepted for a given token and nothing in the header chooses
 * how it is verified: a length cap; three non-empty canonical base64url segments; header and
 * payload as strict UTF-8 JSON objects without duplicate member names; only `alg`, `kid` and
 * `typ` in the header; a known `kid` whose key's algorithm equals `alg`; `typ` `at+jwt`.
 *
 * @throws InvalidCredentialError `malformed`, or `type` when `typ` is not an access token's.
 */
export function precheckAccessToken(token: unknown, options: PrecheckOptions): PrecheckedToken {
  if (typeof token !== 'string' || token.length > (options.maxLength ?? DEFAULT_MAX_TOKEN_LENGTH)) {
    refuse();
  }
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  // Three non-empty segments: no more dots, none leading, trailing or doubled.
  if (first < 1 || second < first + 2 || second === token.length - 1) refuse();
  if (token.indexOf('.', second + 1) !== -1) refuse();
  const payloadBytes = decodeBase64url(token.slice(first + 1, second));
  const payload = payloadBytes && parseStrictJsonObject(payloadBytes);
  if (!payload || !isBase64url(token.slice(second + 1))) refuse();
  // Last, so that `type` is only ever the reason for an otherwise well-formed token.
  const { header, kid, alg } = checkHeader(token.slice(0, first), options);
  return { header, kid, alg, payload };
}

function checkHeader(segment: string, options: PrecheckOptions): AcceptedHeader {
  const known = options.headers?.get(segment);
  if (known !== undefined) return known;
  const bytes = decodeBase64url(segment);
  const header = bytes && parseStrictJsonObject(bytes);
  if (!header) refuse();
  for (const name of Object.keys(header)) if (!HEADER_MEMBERS.has(name)) refuse();
  const { alg, kid, typ } = header;
  if (typeof kid !== 'string' || typeof alg !== 'string') refuse();
  const keyAlg = options.algOf(kid);
  if (keyAlg === undefined || alg !== keyAlg) refuse();
  if (typeof typ !== 'string' || !ACCESS_TYP.has(typ.toLowerCase())) refuse('type');
  const accepted: AcceptedHeader = { header: Object.freeze(header), kid, alg: keyAlg };
  if (options.headers && options.headers.size < HEADER_MEMO_SIZE) {
    options.headers.set(segment, accepted);
  }
  return accepted;
}
