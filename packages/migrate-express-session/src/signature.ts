import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a legacy cookie value was not accepted. */
export type UnsignFailure = 'malformed' | 'signature';

/**
 * The session id of an express-session cookie value (already URL-decoded): `s:<sid>.<sig>`, where
 * `sig` is cookie-signature's `base64(HMAC-SHA256(secret, sid))` without `=` padding. Every secret
 * is tried (express-session accepts any of its list), each comparison in constant time.
 */
export function unsignLegacyCookie(
  value: string,
  secrets: readonly Buffer[],
): { sid: string } | { failure: UnsignFailure } {
  if (!value.startsWith('s:')) return { failure: 'malformed' };
  const signed = value.slice(2);
  // cookie-signature splits at the last dot: a custom `genid` may put dots in the id.
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return { failure: 'malformed' };
  const sid = signed.slice(0, dot);
  const presented = Buffer.from(signed.slice(dot + 1), 'utf8');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(
      createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, ''),
      'utf8',
    );
    // Every secret is tried, whatever matched before, so the time taken says nothing of which.
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) {
      matched = true;
    }
  }
  return matched ? { sid } : { failure: 'signature' };
}
