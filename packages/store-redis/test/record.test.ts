import type { SessionRecord } from '@sess/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../src/record.ts';

const base: SessionRecord = {
  id: 'Qx8f3kL2mN9pR4tV6wY1zA',
  userId: 'user-1',
  secretHash: 'h'.repeat(43),
  prevSecretHash: null,
  retiredSecretHashes: [],
  rotatedAt: null,
  generation: 0,
  createdAt: 1_765_000_000_000,
  authenticatedAt: 1_765_000_000_000,
  lastActiveAt: 1_765_000_000_000,
  idleExpiresAt: 1_765_001_800_000,
  absoluteExpiresAt: 1_765_604_800_000,
  expiresAt: 1_765_001_800_000,
  sessionClass: 'standard',
  version: 1,
  data: { cart: ['a'] },
  meta: { userAgent: 'Mozilla/5.0', ip: '127.0.0.1' },
};

describe('the compact record', () => {
  it('decodes exactly what it encoded, whatever the times (offsets, earlier times, fractions)', () => {
    const time = fc.oneof(
      fc
        .integer({ min: 0, max: Number.MAX_SAFE_INTEGER - base.createdAt })
        .map((d) => base.createdAt + d),
      fc.integer({ min: 0, max: base.createdAt }),
      fc.double({ min: 0, max: 2 * base.createdAt, noNaN: true }),
    );
    fc.assert(
      fc.property(time, time, time, fc.option(time, { nil: null }), (a, b, c, rotatedAt) => {
        const record = { ...base, lastActiveAt: a, idleExpiresAt: b, expiresAt: c, rotatedAt };
        expect(decodeRecord(record.id, encodeRecord(record, 0))).toEqual(record);
      }),
      { numRuns: 2000 },
    );
  });
});
