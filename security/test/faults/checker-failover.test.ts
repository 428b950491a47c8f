import { describe, expect, it } from 'vitest';
import { checkStoreWrites, type StoreWrite } from '../../src/faults/checker.ts';

const write = (seq: number, w: Omit<StoreWrite, 'seq' | 'start' | 'end'>): StoreWrite => ({
  seq,
  start: seq * 10,
  end: seq * 10 + 5,
  ...w,
});

describe('write-lost: acknowledged writes of the failover stream', () => {
  const writes: StoreWrite[] = [
    write(0, { kind: 'revocation', subject: 'jti-kept', acknowledged: true }),
    write(1, { kind: 'revocation', subject: 'jti-gone', acknowledged: true }),
    write(2, { kind: 'revocation', subject: 'jti-refused', acknowledged: false }),
    write(3, { kind: 'creation', subject: 's1', version: 1, acknowledged: true }),
    write(4, { kind: 'creation', subject: 's2', version: 1, acknowledged: true }),
    write(5, { kind: 'rotation', subject: 's1', version: 2, acknowledged: true }),
    write(6, { kind: 'rotation', subject: 's1', version: 3, acknowledged: true }),
    write(7, { kind: 'rotation', subject: 's3', version: 2, acknowledged: false }),
  ];

  it('passes when every acknowledged write is there; writes answered with a failure may be gone', () => {
    const { violations, losses } = checkStoreWrites(writes, {
      denied: new Set(['jti-kept', 'jti-gone']),
      versions: new Map([
        ['s1', 3],
        ['s2', 1],
        ['s3', null],
      ]),
    });
    expect(violations).toEqual([]);
    expect(losses).toEqual({
      acknowledged: { revocation: 2, creation: 2, rotation: 2 },
      lost: { revocation: 0, creation: 0, rotation: 0 },
    });
  });

  it('reports a lost revocation, a lost creation and a rotation rolled back, each with its write', () => {
    const { violations, losses } = checkStoreWrites(writes, {
      denied: new Set(['jti-kept']),
      versions: new Map([
        ['s1', 2], // the rotation to 3 was undone
        ['s2', null], // the creation was undone
      ]),
    });
    expect(violations.map((v) => [v.invariant, v.events])).toEqual([
      ['write-lost', [1]],
      ['write-lost', [4]],
      ['write-lost', [6]],
    ]);
    expect(losses.lost).toEqual({ revocation: 1, creation: 1, rotation: 1 });
  });
});
