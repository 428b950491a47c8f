import assert from 'node:assert/strict';
import type { Strategy } from '@sess/core';
import { countingStore, WRITE_OPERATIONS } from '@sess/store-test-kit';
import { benchManager, USER } from '../fixtures.ts';
import type { WritesRow } from '../results.ts';
import { openStore, type Services } from '../services.ts';

const STRATEGIES: readonly Strategy[] = ['database', 'jwt', 'hybrid'];

/**
 * Validates one session `validations` times in quick succession (well below the touch threshold:
 * 10% of the 30-minute idle timeout) on Redis through a store that counts its calls, and reports
 * reads and writes. The target is zero writes.
 */
export async function benchWrites(services: Services, validations: number): Promise<WritesRow[]> {
  const rows: WritesRow[] = [];
  for (const strategy of STRATEGIES) {
    const inner = await openStore('redis', services, `writes-${strategy}`);
    const store = countingStore(inner);
    const sess = benchManager(store, strategy);
    try {
      const issued = await sess.create(USER);
      const token = strategy === 'database' ? issued.credential : issued.accessToken!;
      await sess.validate(token); // warms the revocation cache, as any earlier request would
      store.reset();
      for (let i = 0; i < validations; i++) {
        assert.equal((await sess.validate(token)).userId, USER);
      }
      const calls = { ...store.calls };
      const count = (write: boolean) =>
        Object.entries(calls)
          .filter(([method]) => WRITE_OPERATIONS.has(method) === write)
          .reduce((sum, [, n]) => sum + n, 0);
      rows.push({
        strategy,
        store: 'redis',
        validations,
        reads: count(false),
        writes: count(true),
        calls,
      });
    } finally {
      await sess.close(); // before its store: a replica sync in flight settles first
      await inner.close();
    }
  }
  return rows;
}
