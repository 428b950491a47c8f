import { describe, expect, it } from 'vitest';
import { type CheckOptions, checkHistory, type Invariant } from '../../src/faults/checker.ts';
import type { CredentialRef, FaultWindow, HistoryEvent } from '../../src/faults/history.ts';

// Hand-made histories: each invariant is shown to fail on the history that breaks it, and to pass
// on its near miss (the overlapping request, the same successor, the 503 inside a fault window).

let seq = 0;
const ev = (
  e: Partial<HistoryEvent> & Pick<HistoryEvent, 'op' | 'start' | 'end'>,
): HistoryEvent => ({
  seq: seq++,
  client: e.user ? `${e.user}/t0` : 'u0/t0',
  user: 'u0',
  account: 'u-alice',
  status: 200,
  ...e,
});
const cred = (family: string, n = 0): CredentialRef => ({ family, fp: `${family}-${n}` });
const login = (family: string, start: number, end: number, account = 'u-alice') =>
  ev({ op: 'login', start, end, account: null, issued: cred(family), loggedInAs: account });

const invariants = (history: HistoryEvent[], options?: CheckOptions): Invariant[] =>
  checkHistory(history, options).violations.map((v) => v.invariant);

describe('the history checker', () => {
  it('passes a clean history and counts what it saw', () => {
    const history = [
      login('F', 0, 10),
      ev({ op: 'me', start: 11, end: 12, sent: cred('F') }),
      ev({ op: 'refresh', start: 13, end: 14, sent: cred('F'), issued: cred('F', 1) }),
      ev({ op: 'refresh', start: 13, end: 15, sent: cred('F'), issued: cred('F', 1) }),
      ev({ op: 'logout', start: 20, end: 21, sent: cred('F', 1) }),
      ev({ op: 'me', start: 22, end: 23, status: 401, sent: cred('F', 1) }),
    ];
    const { violations, stats } = checkHistory(history);
    expect(violations).toEqual([]);
    expect(stats).toMatchObject({ requests: 6, rotations: 1, revokedFamilies: 1 });
  });

  it('revocation-lost: a session accepted after its logout answered 2xx (not when they overlap)', () => {
    const logout = ev({ op: 'logout', start: 20, end: 30, sent: cred('F') });
    expect(
      invariants([
        login('F', 0, 10),
        logout,
        ev({ op: 'me', start: 31, end: 32, sent: cred('F') }),
      ]),
    ).toEqual(['revocation-lost']);
    expect(
      invariants([
        login('F', 0, 10),
        logout,
        ev({ op: 'me', start: 29, end: 35, sent: cred('F') }),
      ]),
    ).toEqual([]);
  });

  it('revocation-lost: logout-all ends the sessions of its account created before it, not after', () => {
    const history = [
      login('A1', 0, 10),
      login('B1', 0, 10, 'u-bob'),
      ev({ op: 'logout-all', start: 20, end: 30, sent: cred('A1') }),
      login('A2', 31, 40),
      ev({ op: 'me', start: 41, end: 42, sent: cred('A2') }),
      ev({ op: 'me', start: 41, end: 42, sent: cred('B1'), account: 'u-bob' }),
      ev({ op: 'refresh', start: 41, end: 42, sent: cred('A1', 3), issued: cred('A1', 4) }),
    ];
    expect(invariants(history)).toEqual(['revocation-lost', 'write-back']);
  });

  it('write-back: an answer that issues a credential of a revoked session', () => {
    const history = [
      login('F', 0, 10),
      ev({ op: 'logout', start: 20, end: 30, sent: cred('F') }),
      ev({ op: 'me', start: 31, end: 32, status: 401, sent: cred('G'), issued: cred('F', 9) }),
    ];
    expect(invariants(history)).toContain('write-back');
  });

  it('reject-accepted: a credential refused with a 401 and accepted later', () => {
    const history = [
      login('F', 0, 10),
      ev({ op: 'logout', start: 11, end: 12, status: 503, retryAfter: true, sent: cred('F') }),
      ev({ op: 'me', start: 13, end: 14, status: 401, sent: cred('F') }),
      ev({ op: 'me', start: 15, end: 16, sent: cred('F') }),
    ];
    const faults = [{ name: 'f', start: 11, end: 12 }];
    expect(invariants(history, { faults })).toEqual(['reject-accepted']);
  });

  it('two-heads: one credential rotated to two successors, or one successor from two parents', () => {
    const fork = [
      login('F', 0, 10),
      ev({ op: 'refresh', start: 11, end: 12, sent: cred('F'), issued: cred('F', 1) }),
      ev({ op: 'refresh', start: 11, end: 13, sent: cred('F'), issued: cred('F', 2) }),
    ];
    expect(invariants(fork)).toEqual(['two-heads']);
    const join = [
      login('F', 0, 10),
      ev({ op: 'refresh', start: 11, end: 12, sent: cred('F'), issued: cred('F', 1) }),
      ev({ op: 'refresh', start: 13, end: 14, sent: cred('F', 7), issued: cred('F', 1) }),
    ];
    expect(invariants(join)).toEqual(['two-heads']);
  });

  it('unexplained-401: a session refused with nothing that could have revoked it', () => {
    const refused = ev({ op: 'me', start: 20, end: 21, status: 401, sent: cred('F') });
    expect(invariants([login('F', 0, 10), refused])).toEqual(['unexplained-401']);
    // A logout whose outcome is unknown (503) may have revoked it.
    const maybe = ev({
      op: 'logout',
      start: 15,
      end: 16,
      status: 503,
      retryAfter: true,
      sent: cred('F'),
    });
    const faults = [{ name: 'f', start: 15, end: 16 }];
    const recovered = login('G', 22, 30);
    expect(invariants([login('F', 0, 10), maybe, refused, recovered], { faults })).toEqual([]);
  });

  it('unexplained-401: the one-second iat slack only with watermarkSlackMs', () => {
    const history = [
      login('A1', 0, 10),
      ev({ op: 'logout-all', start: 100, end: 110, sent: cred('A1') }),
      login('A2', 200, 300),
      ev({ op: 'me', start: 301, end: 302, status: 401, sent: cred('A2') }),
    ];
    expect(invariants(history)).toEqual(['unexplained-401']);
    expect(invariants(history, { watermarkSlackMs: 1_000 })).toEqual([]);
    // The jar that sent the logout-all had lost its account (another tab's 401 cleared it, an
    // answer in flight brought the cookies back): the account is the session's own.
    const orphan = history.map((e) => (e.op === 'logout-all' ? { ...e, account: null } : e));
    expect(invariants(orphan, { watermarkSlackMs: 1_000 })).toEqual([]);
  });

  it('unexpected-status: a 500, a 403, a login refused, no answer at all', () => {
    const history = [
      login('F', 0, 10),
      ev({ op: 'me', start: 11, end: 12, status: 500, sent: cred('F') }),
      ev({ op: 'refresh', start: 13, end: 14, status: 403, sent: cred('F') }),
      ev({ op: 'login', start: 15, end: 16, status: 401, account: null }),
      ev({ op: 'me', start: 17, end: 18, status: 0, sent: cred('F') }),
    ];
    expect(invariants(history)).toEqual(Array(4).fill('unexpected-status'));
  });

  it('503-outside-fault and 503-without-retry-after', () => {
    const faults: FaultWindow[] = [{ name: 'f', start: 100, end: 200 }];
    const history = [
      login('F', 0, 10),
      ev({ op: 'me', start: 150, end: 160, status: 503, retryAfter: true, sent: cred('F') }),
      ev({ op: 'me', start: 50, end: 60, status: 503, retryAfter: true, sent: cred('F') }),
      ev({ op: 'me', start: 150, end: 160, status: 503, sent: cred('F') }),
      ev({ op: 'me', start: 300, end: 301, sent: cred('F') }),
    ];
    expect(invariants(history, { faults, recoveryMs: 150 })).toEqual([
      '503-outside-fault',
      '503-without-retry-after',
    ]);
  });

  it('latency: a request slower than the bound, fault or not', () => {
    const history = [login('F', 0, 10), ev({ op: 'me', start: 11, end: 3_500, sent: cred('F') })];
    expect(invariants(history)).toEqual(['latency']);
    expect(invariants(history, { maxLatencyMs: 4_000 })).toEqual([]);
  });

  it('no-recovery: no 2xx within recoveryMs of the fault end', () => {
    const faults: FaultWindow[] = [{ name: 'f', start: 100, end: 200 }];
    const late = [login('F', 0, 10), ev({ op: 'me', start: 10_300, end: 10_301, sent: cred('F') })];
    expect(invariants(late, { faults })).toEqual(['no-recovery']);
    expect(checkHistory(late, { faults, recoveryMs: 20_000 }).stats.recoveryMs).toEqual({
      f: 10_101,
    });
    expect(invariants([login('F', 0, 10)], { faults })).toEqual(['no-recovery']);
  });

  it('not-durable: a live session refused after a transient fault; gone after one with data loss', () => {
    const history = [
      login('F', 0, 10),
      ev({ op: 'me', start: 11, end: 12, sent: cred('F') }),
      ev({ op: 'me', start: 300, end: 301, status: 401, sent: cred('F') }),
    ];
    const transient: FaultWindow[] = [{ name: 'f', start: 100, end: 200 }];
    expect(invariants(history, { faults: transient })).toEqual(
      expect.arrayContaining(['not-durable', 'unexplained-401']),
    );
    expect(invariants(history, { faults: [{ ...transient[0]!, dataLoss: true }] })).toEqual([
      'no-recovery',
    ]);
    // With data loss, a session from before the fault that is still accepted after it is a lost
    // revocation: the store no longer knows it, so something kept it alive.
    const accepted = [
      ...history.slice(0, 2),
      ev({ op: 'me', start: 300, end: 301, sent: cred('F') }),
    ];
    expect(invariants(accepted, { faults: [{ ...transient[0]!, dataLoss: true }] })).toEqual([
      'revocation-lost',
    ]);
    expect(checkHistory(accepted, { faults: transient }).stats.survived).toBe(1);
  });
});
