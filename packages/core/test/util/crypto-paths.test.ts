import { KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cryptoPath } from '../../src/http/index.ts';
import { hmac, importHmacKey, randomBytes, sha256 } from '../../src/util/crypto.ts';
import { nodeCrypto, useNodeCrypto } from '../../src/util/node-crypto.ts';
import { webCryptoHmacCalls } from '../jwt/fixtures.ts';

/** Computes `run` on node:crypto, then on Web Crypto. */
async function bothPaths<T>(run: () => Promise<T>): Promise<[T, T]> {
  useNodeCrypto(true);
  const node = await run();
  useNodeCrypto(false);
  const web = await run();
  useNodeCrypto(true);
  return [node, web];
}

describe('node:crypto and Web Crypto give the same digests', () => {
  afterAll(() => useNodeCrypto(true));

  it('finds node:crypto on Node, through process.getBuiltinModule', () => {
    expect(nodeCrypto()).not.toBeNull();
    expect(cryptoPath()).toBe('node:crypto');
    useNodeCrypto(false);
    expect(nodeCrypto()).toBeNull();
    expect(cryptoPath()).toBe('web-crypto');
    useNodeCrypto(true);
  });

  it('sha256 and hmac agree on any string, lone surrogates included', async () => {
    const key = await importHmacKey(new TextEncoder().encode('k'.repeat(16) + 'x'.repeat(16)));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 64 }), async (text) => {
        const [nodeHash, webHash] = await bothPaths(() => sha256(text));
        expect(nodeHash).toBe(webHash);
        const [nodeMac, webMac] = await bothPaths(() => hmac(key, text));
        expect(nodeMac).toBe(webMac);
      }),
      { numRuns: 200 },
    );
    // 800 Web Crypto jobs on the thread pool: seconds on a loaded 2-core runner.
  }, 30_000);

  it('builds its node:crypto keys from the raw bytes, never from a CryptoKey (DEP0204)', async () => {
    const from = vi.spyOn(KeyObject, 'from');
    try {
      const key = await importHmacKey(new Uint8Array(32).fill(9));
      expect(key.extractable).toBe(false);
      expect(await webCryptoHmacCalls(() => hmac(key, 'x'))).toBe(0);
      expect(from).not.toHaveBeenCalled();
    } finally {
      from.mockRestore();
    }
  });

  it('keeps a caller-made CryptoKey on Web Crypto, with the same MAC', async () => {
    const raw = new Uint8Array(32).fill(5);
    const own = await globalThis.crypto.subtle.importKey(
      'raw',
      raw,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    expect(await webCryptoHmacCalls(() => hmac(own, 'x'))).toBe(1);
    expect(await hmac(own, 'x')).toBe(await hmac(await importHmacKey(raw), 'x'));
  });

  it('finds keys imported while node:crypto was switched off once it is back on', async () => {
    useNodeCrypto(false);
    const key = await importHmacKey(new Uint8Array(32).fill(3));
    useNodeCrypto(true);
    expect(await webCryptoHmacCalls(() => hmac(key, 'x'))).toBe(0);
  });

  it('computes HMACs without Web Crypto where node:crypto is present', async () => {
    const key = await importHmacKey(new Uint8Array(32).fill(7));
    expect(await webCryptoHmacCalls(() => hmac(key, 'x'))).toBe(0);
    useNodeCrypto(false);
    expect(await webCryptoHmacCalls(() => hmac(key, 'x'))).toBe(1);
    useNodeCrypto(true);
  });
});

describe('randomBytes', () => {
  it('hands out fresh bytes of the asked length, across pool refills and past the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = [1, 16, 32, 43, 600][i % 5]!;
      const bytes = randomBytes(n);
      expect(bytes).toHaveLength(n);
      if (n >= 16) {
        const hex = Buffer.from(bytes).toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
  });

  it('gives each caller its own copy', () => {
    const a = randomBytes(16);
    const copy = a.slice();
    randomBytes(16);
    expect(a).toEqual(copy);
    expect(a.buffer.byteLength).toBe(16);
  });
});
