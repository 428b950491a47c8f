import { compactVerify, importSPKI } from 'jose';
import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from '../../src/jwt/access-token.ts';
import { createKeyring } from '../../src/jwt/keyring.ts';
import { isLowS, withLowS } from '../../src/jwt/low-s.ts';
import { base64url, decodeBase64url } from '../../src/util/encoding.ts';
import { config, NOW, pemPair } from './fixtures.ts';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The (r, n - s) twin of an ES256 token: the same signature, spelled the other way. */
function twin(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = decodeBase64url(token.slice(dot + 1))!;
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(signature[i]!);
  let other = N - s;
  for (let i = 63; i >= 32; i--) {
    signature[i] = Number(other & 0xffn);
    other >>= 8n;
  }
  return `${token.slice(0, dot + 1)}${base64url(signature)}`;
}

describe('ES256 signatures have one accepted spelling (low s)', () => {
  const pair = pemPair('ES256');
  const ring = createKeyring([
    { kid: 'es', alg: 'ES256', privateKey: pair.privatePem, publicKey: pair.publicPem },
  ]);
  const sign = () => signAccessToken(ring, config, { sub: 'alice', sid: 's1', now: NOW });

  it('issues only low-s tokens, and refuses their high-s twins, which jose accepts', async () => {
    const jose = await importSPKI(pair.publicPem, 'ES256');
    for (let i = 0; i < 24; i++) {
      const { token } = await sign();
      expect(isLowS(token.slice(token.lastIndexOf('.') + 1))).toBe(true);
      await expect(verifyAccessToken(ring, config, token, NOW)).resolves.toMatchObject({
        sub: 'alice',
      });
      const high = twin(token);
      await expect(compactVerify(high, jose)).resolves.toBeDefined(); // malleable by itself
      await expect(verifyAccessToken(ring, config, high, NOW)).rejects.toMatchObject({
        code: 'ERR_SESS_INVALID_CREDENTIAL',
      });
    }
  });

  it('moves s to the lower half only when it is above it', () => {
    const low = `e30.e30.${base64url(new Uint8Array(64).fill(1))}`;
    expect(withLowS(low)).toBe(low);
    expect(withLowS(twin(low))).toBe(low);
    expect(withLowS('e30.e30.AAAA')).toBe('e30.e30.AAAA');
    expect(isLowS('AAAA')).toBe(false);
  });
});
