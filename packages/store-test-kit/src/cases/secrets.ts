import assert from 'node:assert/strict';
import { randomId, sha256 } from '../fixtures.ts';
import type { ConformanceCase } from '../types.ts';
import { managerOver, splitCredential } from './support.ts';

export const secretCases: ConformanceCase[] = [
  {
    id: 'secret-hashed',
    title: 'the backend holds the SHA-256 of the session secret, never the secret (raw probe)',
    async run(ctx) {
      if (!ctx.probe)
        throw new Error(`'secret-hashed' needs probe from the factory, or a skip with a reason`);
      const sess = managerOver(ctx, ctx.store);
      const { credential } = await sess.create(`user-${randomId()}`, {
        data: { note: 'probe' },
        meta: { userAgent: 'conformance', ip: '192.0.2.1' },
      });
      await sess.validate(credential);
      const { id, secret } = splitCredential(credential);
      const dump = await ctx.probe.dump();
      assert.ok(dump.includes(id), 'the probe must see the stored session (its public id)');
      assert.ok(!dump.includes(secret), 'the raw session secret must never reach the backend');
      assert.ok(
        dump.includes(sha256(secret)),
        'the backend holds the SHA-256 (base64url) of the secret',
      );
      await sess.close();
    },
  },
];
