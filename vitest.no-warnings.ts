// Set up in every vitest project (vitest.shared.ts `noWarnings`).
// Fails a test file in which the process emits any warning. A deprecation (DEP0204: adopting a
// non-extractable CryptoKey with KeyObject.from) starts as a warning and becomes an error a few
// releases later; here it fails the suite the day it first appears.
import { afterAll, beforeAll, expect } from 'vitest';

const seen: string[] = [];
const record = (warning: Error & { code?: string }): void => {
  seen.push(`${warning.name}${warning.code ? ` ${warning.code}` : ''}: ${warning.message}`);
};

beforeAll(() => {
  process.on('warning', record);
});

afterAll(() => {
  process.off('warning', record);
  expect(seen, 'process warnings emitted by this file').toEqual([]);
});
