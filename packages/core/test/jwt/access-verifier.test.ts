import { describe, expect, it } from 'vitest';
import { AccessTokenVerifier } from '../../src/jwt/access-verifier.ts';
import {
  claims,
  config,
  expectRefused,
  forge,
  HEADER,
  hsRing,
  NOW,
  NOW_S,
  onEachCryptoPath,
  webCryptoHmacCalls,
} from './fixtures.ts';

const EXP_MS = (NOW_S + 900) * 1000;

onEachCryptoPath((path) => {
  describe('AccessTokenVerifier: the cache of verified tokens', () => {
    it('answers a token seen before from the cache, with the very same claims', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 100);
      const token = forge(HEADER, claims());
      const first = await verifier.verify(token, NOW);
      expect(verifier.size).toBe(1);
      let again: unknown;
      const calls = await webCryptoHmacCalls(async () => {
        again = await verifier.verify(token, NOW + 60_000);
      });
      expect(again).toBe(first);
      expect(calls).toBe(0);
    });

    it('never serves an expired entry: refused from exp + skew on, and dropped', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 100);
      const token = forge(HEADER, claims());
      await verifier.verify(token, NOW);
      const last = EXP_MS + config.clockSkewMs - 1;
      await expect(verifier.verify(token, last)).resolves.toMatchObject({ sub: 'user-1' });
      await expectRefused(verifier.verify(token, last + 1), { limit: 'token' });
      expect(verifier.size).toBe(0);
      await expectRefused(verifier.verify(token, last + 1), { limit: 'token' });
    });

    it('refuses a cached token before its iat (or nbf) minus the skew, as a full check would', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 100);
      const token = forge(HEADER, claims({ nbf: NOW_S + 10 }));
      await verifier.verify(token, NOW);
      await expectRefused(verifier.verify(token, NOW - 20_001), { reason: 'claims' });
      await expect(verifier.verify(token, NOW - 20_000)).resolves.toBeTruthy();
    });

    it('keeps refusals out: a forged or non-canonical twin of a cached token is still refused', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 100);
      const token = forge(HEADER, claims());
      await verifier.verify(token, NOW);
      const [h, p, s] = token.split('.') as [string, string, string];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const twin = `${s.slice(0, -1)}${alphabet[alphabet.indexOf(s.at(-1)!) ^ 1]}`;
      await expectRefused(verifier.verify(`${h}.${p}.${twin}`, NOW), { reason: 'malformed' });
      const tampered = `${h}.${forge(HEADER, claims({ sub: 'admin' })).split('.')[1]}.${s}`;
      await expectRefused(verifier.verify(tampered, NOW), { reason: 'signature' });
      await expectRefused(verifier.verify(forge(HEADER, claims(), 'x'.repeat(32)), NOW), {
        reason: 'signature',
      });
      expect(verifier.size).toBe(1);
    });

    it('is bounded: never more entries than its size, however many tokens arrive', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 10);
      for (let i = 0; i < 50; i++) {
        await verifier.verify(forge(HEADER, claims({ jti: `jti-${i}` })), NOW);
        expect(verifier.size).toBeLessThanOrEqual(10);
      }
      expect(verifier.size).toBeGreaterThan(0);
    });

    it('stops churning when nothing hits, and recovers when clients come back', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 100);
      const hitsOver = async (tokens: readonly string[]) => {
        const before = verifier.hits;
        for (const token of tokens) {
          // Counted as validation counts a hit.
          if (verifier.cached(token, NOW) !== undefined) verifier.hits++;
          else await verifier.verify(token, NOW);
        }
        return verifier.hits - before;
      };
      const tokens = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => forge(HEADER, claims({ jti: `${prefix}-${i}` })));
      // One-off tokens, more than a window of them: a full cache that nothing hits.
      await hitsOver(tokens('once', 5000));
      expect(verifier.size).toBe(100);
      // Now a repeating set of clients: while thrashing, few of their first misses are admitted.
      const clients = tokens('client', 100);
      await hitsOver(clients);
      expect(await hitsOver(clients)).toBeLessThan(20); // admitting every miss would hit 100
      // Their hits end the thrashing: within a few windows every one of them hits again.
      for (let round = 0; round < 120; round++) await hitsOver(clients);
      expect(await hitsOver(clients)).toBe(100);
    });

    it('with size 0 verifies every time and keeps nothing', async () => {
      const verifier = new AccessTokenVerifier(hsRing, config, 0);
      const token = forge(HEADER, claims());
      await verifier.verify(token, NOW);
      const calls = await webCryptoHmacCalls(() => verifier.verify(token, NOW));
      expect(verifier.size).toBe(0);
      expect(calls > 0).toBe(path === 'Web Crypto');
    });
  });
});
