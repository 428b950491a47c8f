import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSessError } from '../../src/index.ts';
import { setup } from '../helpers.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

describe('properties', () => {
  it('a mutated session credential is never accepted, and only ever fails with a 401 error', async () => {
    const { sess } = setup();
    const { credential } = await sess.create('alice');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(credential.length - 1),
        fc.constantFrom(...ALPHABET),
        async (at, char) => {
          fc.pre(credential[at] !== char);
          const mutated = `${credential.slice(0, at)}${char}${credential.slice(at + 1)}`;
          const error = await sess.validate(mutated).then(
            () => null,
            (e: unknown) => e,
          );
          expect(isSessError(error) && error.code === 'ERR_SESS_INVALID_CREDENTIAL').toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    await sess.validate(credential); // no mutation revoked the real session
  });

  it('validate and refresh only ever throw typed errors on arbitrary input', async () => {
    const { sess } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(undefined)),
        async (input) => {
          for (const call of [() => sess.validate(input), () => sess.refresh(input)]) {
            const error = await call().then(
              () => null,
              (e: unknown) => e,
            );
            expect(isSessError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
