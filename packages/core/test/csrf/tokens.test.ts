import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCsrfTokens } from '../../src/csrf/tokens.ts';
import { isSessError } from '../../src/errors.ts';
import { testKey } from './request.ts';

const tokens = createCsrfTokens(testKey());

/** Flips one character of the token to another base64url character, keeping the shape. */
function tamper(token: string, index: number): string {
  const c = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + c + token.slice(index + 1);
}

describe('createCsrfTokens', () => {
  it('issues <nonce>.<mac> tokens that verify for their binding', async () => {
    const token = await tokens.issue('session-a');
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(await tokens.verify(token, 'session-a')).toBe(true);
  });

  it('issues a different token each time, all valid', async () => {
    const [a, b] = [await tokens.issue('s'), await tokens.issue('s')];
    expect(a).not.toBe(b);
    expect(await tokens.verify(a, 's')).toBe(true);
    expect(await tokens.verify(b, 's')).toBe(true);
  });

  it('rejects the token of another binding (another session)', async () => {
    const token = await tokens.issue('session-a');
    expect(await tokens.verify(token, 'session-b')).toBe(false);
    expect(await tokens.verify(token, 'session-a|')).toBe(false);
  });

  it('rejects a token made with another key', async () => {
    const other = createCsrfTokens(testKey(8));
    expect(await tokens.verify(await other.issue('s'), 's')).toBe(false);
  });

  it('rejects a tampered nonce or MAC', async () => {
    const token = await tokens.issue('s');
    expect(await tokens.verify(tamper(token, 0), 's')).toBe(false);
    expect(await tokens.verify(tamper(token, 30), 's')).toBe(false);
    expect(await tokens.verify(tamper(token, token.length - 2), 's')).toBe(false);
  });

  it('rejects a non-canonical encoding of a valid token', async () => {
    const token = await tokens.issue('s');
    // The last MAC character carries 2 unused bits: setting them yields a different string that
    // a lenient decoder would map to the same bytes.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) | 1]!;
    expect(sibling).not.toBe(last);
    expect(await tokens.verify(token.slice(0, -1) + sibling, 's')).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['no separator', 'A'.repeat(66)],
    ['separator misplaced', `${'A'.repeat(21)}.${'A'.repeat(44)}`],
    ['too long', `${'A'.repeat(22)}.${'A'.repeat(44)}`],
    ['padding', `${'A'.repeat(22)}.${'A'.repeat(42)}=`],
    ['standard base64', `${'A'.repeat(22)}.${'A'.repeat(42)}+`],
  ])('rejects a malformed token (%s)', async (_, token) => {
    expect(await tokens.verify(token, 's')).toBe(false);
  });

  it('rejects non-string tokens and empty bindings without throwing', async () => {
    const token = await tokens.issue('s');
    for (const bad of [undefined, null, 42, {}, ['x'], new Uint8Array(66)]) {
      expect(await tokens.verify(bad, 's')).toBe(false);
    }
    expect(await tokens.verify(token, '')).toBe(false);
  });

  it('refuses to issue for an empty binding', async () => {
    await expect(tokens.issue('')).rejects.toThrow(TypeError);
  });

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => createCsrfTokens(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_CONFIG' }),
    );
    expect(() => createCsrfTokens(new Uint8Array(32))).not.toThrow();
  });

  it('accepts a promised key and refuses a short one on use', async () => {
    const promised = createCsrfTokens(Promise.resolve(testKey()));
    expect(await tokens.verify(await promised.issue('s'), 's')).toBe(true);
    const short = createCsrfTokens(Promise.resolve(new Uint8Array(16)));
    const error = await short.issue('s').catch((e: unknown) => e);
    expect(isSessError(error) && error.code).toBe('ERR_SESS_CONFIG');
  });

  it('property: verify never throws and never accepts an arbitrary string', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 40 }),
        async (t, b) => {
          expect(await tokens.verify(t, b)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: verify never throws on well-shaped forgeries', async () => {
    const b64 = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    );
    const shaped = fc
      .tuple(
        fc.string({ unit: b64, minLength: 22, maxLength: 22 }),
        fc.string({ unit: b64, minLength: 43, maxLength: 43 }),
      )
      .map(([n, m]) => `${n}.${m}`);
    await fc.assert(
      fc.asyncProperty(shaped, async (t) => {
        expect(await tokens.verify(t, 'session')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
