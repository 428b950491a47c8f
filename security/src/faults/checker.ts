import type { FaultWindow, HistoryEvent, Op } from './history.ts';

/** The invariants the checker holds a history to. */
export type Invariant =
  | 'revocation-lost'
  | 'write-back'
  | 'reject-accepted'
  | 'two-heads'
  | 'unexplained-401'
  | 'unexpected-status'
  | '503-outside-fault'
  | '503-without-retry-after'
  | 'latency'
  | 'no-recovery'
  | 'not-durable'
  | 'write-lost';

/** One broken invariant, with the events that show it. */
export interface Violation {
  readonly invariant: Invariant;
  readonly message: string;
  readonly events: readonly number[];
}

/** What the checker needs besides the history. */
export interface CheckOptions {
  /** The faults injected; 503s are allowed only while one lasts, up to `recoveryMs` after it. */
  readonly faults?: readonly FaultWindow[];
  /**
   * How long after a fault ends the service has to answer a 2xx again.
   * @default 10_000
   */
  readonly recoveryMs?: number;
  /**
   * The longest any request may take, fault or not.
   * @default 3_000
   */
  readonly maxLatencyMs?: number;
  /**
   * Sessions must survive every fault without `dataLoss` (a durable store): a session that was
   * accepted before the fault and not revoked must be accepted again after it.
   * @default true
   */
  readonly durable?: boolean;
  /**
   * Access tokens carry `iat` in whole seconds, and core refuses a token issued in the same second
   * as a "not before" watermark (fail closed): in the jwt and hybrid strategies, a login that ends
   * up to a second after a logout-all of the same account may get an access token that is refused.
   * Give 1_000 for those strategies; 0 for the database strategy, where times are milliseconds.
   * @default 0
   */
  readonly watermarkSlackMs?: number;
}

/** Figures the checker computed on the way. */
export interface CheckStats {
  readonly requests: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Per fault: milliseconds from its end to the end of the first 2xx sent after it, or null. */
  readonly recoveryMs: Readonly<Record<string, number | null>>;
  /** Sessions accepted before a durable fault and accepted again after it. */
  readonly survived: number;
  /** Sessions accepted before a durable fault that nobody presented after it. */
  readonly unprobed: number;
  /** Sessions whose revocation was acknowledged (2xx) or lost with the store's data. */
  readonly revokedFamilies: number;
  /** Refresh rotations seen (parent → successor edges). */
  readonly rotations: number;
}

/** The verdict on one history. */
export interface CheckResult {
  readonly violations: readonly Violation[];
  readonly stats: CheckStats;
}

/** Operations that answer 2xx only for a live session (logout and login answer 200 regardless). */
const NEEDS_SESSION: ReadonlySet<Op> = new Set<Op>([
  'me',
  'refresh',
  'logout-all',
  'sessions',
  'replay-me',
  'replay-refresh',
]);

const ok = (e: HistoryEvent): boolean => e.status >= 200 && e.status < 300;
const unknownOutcome = (e: HistoryEvent): boolean => e.status === 0 || e.status >= 500;

/** When each session died for sure (after which nothing may accept it), and when it may have. */
interface Deaths {
  /** Family → the earliest time after which every request must be refused. */
  readonly definite: Map<string, number>;
  /** Family → the earliest time a kill (of any outcome) may have taken effect. */
  readonly possible: Map<string, number>;
}

/** Family → account and the login that created it. */
interface Birth {
  readonly account: string;
  readonly start: number;
  readonly end: number;
}

function births(history: readonly HistoryEvent[]): Map<string, Birth> {
  const born = new Map<string, Birth>();
  for (const e of history) {
    if (e.op === 'login' && ok(e) && e.issued && e.loggedInAs) {
      born.set(e.issued.family, { account: e.loggedInAs, start: e.start, end: e.end });
    }
  }
  return born;
}

/**
 * Kills: a logout or a login presenting a session ends it (a login regenerates or replaces it);
 * a logout-all ends every session of its account created before it; a fault with data loss ends
 * every session created before it. A 2xx makes the death definite from the kill's end; any other
 * outcome (503, no answer) only makes it possible, from the kill's start.
 */
export function deaths(
  history: readonly HistoryEvent[],
  faults: readonly FaultWindow[] = [],
  watermarkSlackMs = 0,
): Deaths {
  const definite = new Map<string, number>();
  const possible = new Map<string, number>();
  const mark = (map: Map<string, number>, family: string, at: number) => {
    const known = map.get(family);
    if (known === undefined || at < known) map.set(family, at);
  };
  const born = births(history);
  for (const e of history) {
    const sure = ok(e);
    const maybe = sure || unknownOutcome(e);
    if (!maybe) continue;
    if ((e.op === 'logout' || e.op === 'login') && e.sent) {
      if (sure) mark(definite, e.sent.family, e.end);
      mark(possible, e.sent.family, e.start);
    } else if (e.op === 'logout-all') {
      // The account is the session's: a tab's jar can lose its account (another tab's 401 cleared
      // it) and get cookies back from a response that was in flight.
      const account = (e.sent && born.get(e.sent.family)?.account) ?? e.account;
      if (!account) continue;
      for (const [family, birth] of born) {
        if (birth.account !== account) continue;
        if (sure && birth.end < e.start) mark(definite, family, e.end);
        if (birth.start < e.end + watermarkSlackMs) mark(possible, family, e.start);
      }
    }
  }
  for (const fault of faults) {
    if (!fault.dataLoss) continue;
    for (const [family, birth] of born) {
      if (birth.end < fault.start) mark(definite, family, fault.end);
      // Recovering from data loss may itself set a watermark (revokeEverything): the slack again.
      if (birth.start < fault.end + watermarkSlackMs) mark(possible, family, fault.start);
    }
  }
  return { definite, possible };
}

/** Checks every invariant; pure, so it runs offline on any recorded or hand-made history. */
export function checkHistory(
  history: readonly HistoryEvent[],
  options: CheckOptions = {},
): CheckResult {
  const faults = options.faults ?? [];
  const recoveryMs = options.recoveryMs ?? 10_000;
  const maxLatencyMs = options.maxLatencyMs ?? 3_000;
  const durable = options.durable ?? true;
  const events = [...history].sort((a, b) => a.start - b.start || a.seq - b.seq);
  const violations: Violation[] = [];
  const fail = (invariant: Invariant, message: string, ...evs: HistoryEvent[]) =>
    violations.push({ invariant, message, events: evs.map((e) => e.seq) });
  const { definite, possible } = deaths(events, faults, options.watermarkSlackMs ?? 0);

  // 1. No revocation lost after a 2xx, and no write-back: once a session's revocation was
  // acknowledged, nothing sent afterwards is accepted with it, and no answer issues it anew.
  for (const e of events) {
    if (ok(e) && e.sent && NEEDS_SESSION.has(e.op)) {
      const dead = definite.get(e.sent.family);
      if (dead !== undefined && e.start > dead) {
        fail(
          'revocation-lost',
          `${e.op} by ${e.client} accepted session ${e.sent.family} ${(e.start - dead).toFixed(0)} ms after its revocation completed`,
          e,
        );
      }
    }
    if (e.issued && e.op !== 'login') {
      const dead = definite.get(e.issued.family);
      if (dead !== undefined && e.start > dead) {
        fail(
          'write-back',
          `${e.op} by ${e.client} issued a credential of session ${e.issued.family} after its revocation completed`,
          e,
        );
      }
    }
  }

  // 2. A credential refused with a 401 stays refused.
  const refusedAt = new Map<string, HistoryEvent>();
  for (const e of events) {
    if (!e.sent || !NEEDS_SESSION.has(e.op)) continue;
    const refused = refusedAt.get(e.sent.fp);
    if (ok(e) && refused && e.start > refused.end) {
      fail(
        'reject-accepted',
        `${e.op} by ${e.client} accepted a credential of session ${e.sent.family} that was refused with a 401 before`,
        refused,
        e,
      );
    }
    if (e.status === 401 && (!refused || e.end < refused.end)) refusedAt.set(e.sent.fp, e);
  }

  // 3. One refresh family never forks: each credential has at most one successor, and each
  // successor one parent (two successors of one parent would be two live heads).
  type Link = { fp: string; event: HistoryEvent };
  const successorOf = new Map<string, Link>();
  const parentOf = new Map<string, Link>();
  const link = (
    map: Map<string, Link>,
    from: string,
    to: string,
    e: HistoryEvent,
    what: string,
  ) => {
    const known = map.get(from);
    if (!known) map.set(from, { fp: to, event: e });
    else if (known.fp !== to)
      fail('two-heads', `session ${e.sent!.family}: ${what}`, known.event, e);
  };
  for (const e of events) {
    if (!ok(e) || !e.sent || !e.issued) continue;
    if (e.sent.family !== e.issued.family || e.sent.fp === e.issued.fp) continue;
    link(
      successorOf,
      e.sent.fp,
      e.issued.fp,
      e,
      'one credential rotated to two different successors',
    );
    link(
      parentOf,
      e.issued.fp,
      e.sent.fp,
      e,
      'one successor reached from two different credentials',
    );
  }

  // 4. Statuses: a fault only turns an answer into a 503; a 401 needs a revocation behind it.
  const inFault = (e: HistoryEvent) =>
    faults.some((f) => e.start <= f.end + recoveryMs && e.end >= f.start);
  const byStatus: Record<string, number> = {};
  for (const e of events) {
    byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    if (e.end - e.start > maxLatencyMs) {
      fail(
        'latency',
        `${e.op} by ${e.client} took ${(e.end - e.start).toFixed(0)} ms (limit ${maxLatencyMs} ms)`,
        e,
      );
    }
    if (e.status === 503) {
      if (!inFault(e)) fail('503-outside-fault', `${e.op} by ${e.client}: 503 with no fault`, e);
      if (!e.retryAfter) fail('503-without-retry-after', `${e.op} by ${e.client}`, e);
      continue;
    }
    if (ok(e)) continue;
    // A login or logout presenting a dead session is refused too: its CSRF token was bound to it.
    if (e.status === 401 && e.op !== 'csrf' && (e.sent || e.op !== 'login')) {
      if (!e.sent) continue; // nothing presented, nothing to accept
      const may = possible.get(e.sent.family);
      if (may === undefined || may > e.end) {
        fail(
          'unexplained-401',
          `${e.op} by ${e.client}: 401 ${e.code ?? ''} for session ${e.sent.family}, which nothing revoked`,
          e,
        );
      }
      continue;
    }
    fail(
      'unexpected-status',
      `${e.op} by ${e.client}: ${e.status === 0 ? 'no answer' : e.status} ${e.code ?? ''}`,
      e,
    );
  }

  // 5. Recovery: a 2xx within `recoveryMs` of each fault's end, without restarting anything.
  const recovery: Record<string, number | null> = {};
  for (const f of faults) {
    const first = events.find((e) => ok(e) && e.start >= f.end);
    recovery[f.name] = first ? first.end - f.end : null;
    if (!first || first.end - f.end > recoveryMs) {
      fail(
        'no-recovery',
        `${f.name}: no 2xx within ${recoveryMs} ms of the fault's end`,
        ...(first ? [first] : []),
      );
    }
  }

  // 6. Durability: a session accepted before a transient fault, and not revoked, is accepted after.
  let survived = 0;
  let unprobed = 0;
  if (durable) {
    for (const f of faults) {
      if (f.dataLoss) continue;
      const live = new Set<string>();
      for (const e of events) {
        if (e.end < f.start && ok(e) && e.sent && NEEDS_SESSION.has(e.op)) live.add(e.sent.family);
      }
      for (const family of live) {
        const may = possible.get(family);
        const after = events.find(
          (e) =>
            e.start > f.end &&
            e.sent?.family === family &&
            NEEDS_SESSION.has(e.op) &&
            !unknownOutcome(e),
        );
        if (!after) {
          unprobed++;
          continue;
        }
        if (ok(after)) survived++;
        else if (may === undefined || may > after.end) {
          fail(
            'not-durable',
            `${f.name}: session ${family} was accepted before the fault and refused after it`,
            after,
          );
        }
      }
    }
  }

  return {
    violations,
    stats: {
      requests: events.length,
      byStatus,
      recoveryMs: recovery,
      survived,
      unprobed,
      revokedFamilies: definite.size,
      rotations: successorOf.size,
    },
  };
}

/** A few lines for a test failure or the soak's report. */
export function describeViolations(
  violations: readonly Violation[],
  history: readonly HistoryEvent[],
  limit = 10,
): string {
  const bySeq = new Map(history.map((e) => [e.seq, e]));
  const counts = new Map<string, number>();
  for (const v of violations) counts.set(v.invariant, (counts.get(v.invariant) ?? 0) + 1);
  const lines = [...counts].map(([invariant, n]) => `${invariant}: ${n}`);
  for (const v of violations.slice(0, limit)) {
    lines.push(`- ${v.invariant}: ${v.message}`);
    for (const seq of v.events) {
      const e = bySeq.get(seq);
      if (e) lines.push(`    ${JSON.stringify(e)}`);
    }
  }
  return lines.join('\n');
}

/**
 * A write sent straight to the store by a failover scenario's write stream: a revocation (`deny`
 * of a key), a creation (`create` of a session) or a rotation (`update` to `version`).
 */
export interface StoreWrite {
  readonly seq: number;
  readonly kind: 'revocation' | 'creation' | 'rotation';
  /** The denied key, or the session id. */
  readonly subject: string;
  /** The version a creation or rotation wrote. */
  readonly version?: number;
  readonly start: number;
  readonly end: number;
  /** The store answered success (an acknowledged write); false when it rejected. */
  readonly acknowledged: boolean;
}

/** What the store holds once the faults are over, read back for every subject of the stream. */
export interface StoreReadback {
  /** Denied keys that read as denied. */
  readonly denied: ReadonlySet<string>;
  /** Session id -> the version stored (null: missing). */
  readonly versions: ReadonlyMap<string, number | null>;
}

/** Per kind of write: how many were acknowledged, and how many of those are gone. */
export interface WriteLosses {
  readonly acknowledged: Readonly<Record<StoreWrite['kind'], number>>;
  readonly lost: Readonly<Record<StoreWrite['kind'], number>>;
}

/**
 * The `write-lost` invariant: every acknowledged write is still there at the end. A revocation's
 * key reads as denied; a session created (and not deleted: the stream never deletes) exists; a
 * rotation to version v left a version >= v. Pure, like {@link checkHistory}.
 */
export function checkStoreWrites(
  writes: readonly StoreWrite[],
  readback: StoreReadback,
): { violations: Violation[]; losses: WriteLosses } {
  const zero = () => ({ revocation: 0, creation: 0, rotation: 0 });
  const acknowledged = zero();
  const lost = zero();
  const violations: Violation[] = [];
  for (const w of writes) {
    if (!w.acknowledged) continue;
    acknowledged[w.kind]++;
    let gone: boolean;
    if (w.kind === 'revocation') gone = !readback.denied.has(w.subject);
    else {
      const stored = readback.versions.get(w.subject) ?? null;
      gone = stored === null || stored < (w.version ?? 0);
    }
    if (!gone) continue;
    lost[w.kind]++;
    violations.push({
      invariant: 'write-lost',
      message: `acknowledged ${w.kind} of ${w.subject} (answered at ${w.end.toFixed(0)}) is gone`,
      events: [w.seq],
    });
  }
  return { violations, losses: { acknowledged, lost } };
}
