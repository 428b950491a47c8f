import { type AuthFailureReason, InvalidCredentialError } from '../errors.ts';
import { decodeBase64url } from '../util/encoding.ts';
import type { KeyAlgorithm } from './keyring.ts';
import { parseStrictJsonObject } from './strict-json.ts';

/** The longest access token accepted, in characters. */
export const DEFAULT_MAX_TOKEN_LENGTH = 4096;

// Our tokens carry exactly these; anything else (crit, jwk, jku, x5u, x5c, b64, ...) either asks
// the verifier to trust key material chosen by the sender or changes how the token is read.
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ']);
const ACCESS_TYP = new Set(['at+jwt', 'application/at+jwt']);

/** A token that passed the structural checks, decoded once. */
export interface PrecheckedToken {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly kid: string;
  readonly alg: KeyAlgorithm;
}

/** What the precheck needs to know: the limit, and the algorithm each known kid is bound to. */
export interface PrecheckOptions {
  /** @default 4096 */
  readonly maxLength?: number;
  /** The algorithm of the key with this kid, or undefined when there is none. */
  readonly algOf: (kid: string) => KeyAlgorithm | undefined;
}

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
  const segments = token.split('.');
  if (segments.length !== 3 || segments.some((s) => s.length === 0)) refuse();
  const [h, p, s] = segments as [string, string, string];
  const headerBytes = decodeBase64url(h);
  const payloadBytes = decodeBase64url(p);
  if (!headerBytes || !payloadBytes || !decodeBase64url(s)) refuse();
  const header = parseStrictJsonObject(headerBytes);
  const payload = parseStrictJsonObject(payloadBytes);
  if (!header || !payload) refuse();

  for (const name of Object.keys(header)) if (!HEADER_MEMBERS.has(name)) refuse();
  const { alg, kid, typ } = header;
  if (typeof kid !== 'string' || typeof alg !== 'string') refuse();
  const keyAlg = options.algOf(kid);
  if (keyAlg === undefined || alg !== keyAlg) refuse();
  if (typeof typ !== 'string' || !ACCESS_TYP.has(typ.toLowerCase())) refuse('type');
  return { header, payload, kid, alg: keyAlg };
}
