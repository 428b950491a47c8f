import fc from 'fast-check';
import { expect } from 'vitest';
import type { SessErrorCode } from '../../src/errors.ts';

/**
 * A string no error message may ever contain: generators plant it in inputs (raw and
 * base64url-encoded), and every error is searched for it.
 */
export const MARKER = 'Zq7xMARKERx7qZ';
export const MARKER_B64 = Buffer.from(MARKER).toString('base64url');

/** Every stable code; `satisfies` makes the compiler flag a code added to the union but not here. */
const CODES = {
  ERR_SESS_CONFIG: true,
  ERR_SESS_STORE: true,
  ERR_SESS_INVALID_CREDENTIAL: true,
  ERR_SESS_NO_CREDENTIAL: true,
  ERR_SESS_EXPIRED: true,
  ERR_SESS_REVOKED: true,
  ERR_SESS_REFRESH_REUSED: true,
  ERR_SESS_NOT_FRESH: true,
  ERR_SESS_CSRF: true,
  ERR_SESS_SESSION_LIMIT: true,
  ERR_SESS_CONFLICT: true,
  ERR_SESS_NOT_FOUND: true,
  ERR_SESS_COOKIE_TOO_LARGE: true,
  ERR_SESS_RATE_LIMITED: true,
  ERR_SESS_LOGIN_FAILED: true,
  ERR_SESS_BAD_REQUEST: true,
  ERR_SESS_PAYLOAD_TOO_LARGE: true,
  ERR_SESS_GUEST_TOO_LARGE: true,
} as const satisfies Record<SessErrorCode, true>;

export const KNOWN_CODES: ReadonlySet<string> = new Set(Object.keys(CODES));

/** How a call ended: its value, or what it threw (synchronously or as a rejection). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function settle<T>(run: () => T | Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

export function settleSync<T>(run: () => T): Settled<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Everything an error shows: message, JSON body, issues, and the same for its causes' messages. */
function shownText(error: Error & { issues?: unknown; toJSON?: () => unknown }): string {
  const parts = [error.message, JSON.stringify(error.toJSON?.() ?? null)];
  if (Array.isArray(error.issues)) parts.push(...error.issues.map(String));
  return parts.join('\n');
}

/**
 * Asserts `error` is one of sess's typed errors: an Error whose `code` is a known stable code (one
 * of `allowed` when given), never a TypeError/SyntaxError/RangeError leaking from below, and whose
 * message, JSON body and issues contain none of `secrets` (the marker by default).
 */
export function expectTyped(
  error: unknown,
  allowed?: readonly SessErrorCode[],
  secrets: readonly string[] = [MARKER, MARKER_B64],
): void {
  expect(error, 'a sess error, not a bare throw').toBeInstanceOf(Error);
  const e = error as Error & { code?: unknown };
  if (typeof e.code !== 'string' || !KNOWN_CODES.has(e.code)) {
    expect.fail(`untyped error leaked: ${e.name}: ${e.message}`);
  }
  if (allowed) expect(allowed).toContain(e.code);
  const shown = shownText(e);
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

/** Asserts a settled call either returned or threw one of sess's typed errors. */
export function expectReturnedOrTyped<T>(
  settled: Settled<T>,
  allowed?: readonly SessErrorCode[],
  secrets?: readonly string[],
): void {
  if (!settled.ok) expectTyped(settled.error, allowed, secrets);
}

/** Strings with the marker planted somewhere, raw or base64url-encoded. */
export function marked(inner: fc.Arbitrary<string> = fc.string()): fc.Arbitrary<string> {
  return fc
    .tuple(inner, inner, fc.constantFrom(MARKER, MARKER_B64))
    .map(([a, b, marker]) => `${a}${marker}${b}`);
}

/** Any string a client could send: printable, full Unicode, lone surrogates and control bytes. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  marked(),
  marked(fc.string({ unit: 'binary', maxLength: 8 })),
);

/** Any JavaScript value, including the awkward ones (null prototypes, BigInt, boxed values). */
export const anyValue: fc.Arbitrary<unknown> = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** Base64url text, mostly canonical and sometimes not (for segment-shaped inputs). */
export const base64urlText: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ maxLength: 96 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
    maxLength: 96,
  }),
);

export const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
