import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mintSecret, mintSessionId } from '../src/credential.ts';
import { formatCredential, isSessionId, parseCredential } from '../src/index.ts';
import { timingSafeEqual } from '../src/util/crypto.ts';
import {
  base64url,
  decodeBase64url,
  decodeBase64urlPortable,
  isBase64url,
} from '../src/util/encoding.ts';

describe('credentials', () => {
  it('round-trips a minted credential', () => {
    const id = mintSessionId();
    const secret = mintSecret();
    expect(parseCredential(formatCredential(id, secret))).toEqual({ id, secret });
    expect(isSessionId(id)).toBe(true);
    expect(mintSessionId()).not.toBe(id);
  });

  it('refuses anything that is not exactly <22 base64url>.<43 base64url>', () => {
    const good = formatCredential(mintSessionId(), mintSecret());
    for (const bad of [
      '',
      good.replace('.', '_'),
      `${good}A`,
      good.slice(1),
      `${good.slice(0, -1)}=`,
      good.replace(/[A-Za-z]/, '+'),
      `${good.slice(0, -1)}B`.replace(/.$/, '/'),
      ` ${good.slice(1)}`,
      123,
      null,
    ]) {
      expect(parseCredential(bad), String(bad)).toBeNull();
    }
    // Non-canonical: a last character whose unused low bits are set decodes to the same bytes.
    const secret = mintSecret();
    const last = secret.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(
      parseCredential(formatCredential(mintSessionId(), secret.slice(0, -1) + sibling)),
    ).toBeNull();
  });

  it('parseCredential never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        (value) => parseCredential(value) === null || typeof value === 'string',
      ),
    );
  });
});

describe.each([
  ['node:buffer', decodeBase64url],
  ['portable', decodeBase64urlPortable],
])('decodeBase64url (%s)', (_path, decodeBase64url) => {
  it('base64url round-trips arbitrary bytes canonically', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base64url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeBase64url(text)).toEqual(bytes);
      }),
    );
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(decodeBase64url('-_8=')).toBeNull();
    expect(decodeBase64url('+/8')).toBeNull();
    expect(decodeBase64url('-_9')).toBeNull();
    expect(decodeBase64url('A')).toBeNull();
    expect(decodeBase64url('é')).toBeNull();
  });

  it('decodeBase64url and isBase64url accept exactly the canonical unpadded base64url strings', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const chars = fc.constantFrom(...alphabet, '+', '/', '=', ' ', '.', 'é');
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 24 }), (text) => {
        const canonical =
          [...text].every((ch) => alphabet.includes(ch)) &&
          Buffer.from(text, 'base64url').toString('base64url') === text;
        const decoded = decodeBase64url(text);
        expect(decoded !== null).toBe(canonical);
        expect(isBase64url(text)).toBe(canonical);
        if (decoded) expect(Buffer.from(decoded).equals(Buffer.from(text, 'base64url'))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('comparison', () => {
  it('timingSafeEqual compares whole strings of any length', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
    expect(timingSafeEqual('', '')).toBe(true);
    expect(timingSafeEqual('a', '')).toBe(false);
  });
});
