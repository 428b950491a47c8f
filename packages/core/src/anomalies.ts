import type { EventHub, SessEventMap } from './events.ts';
import { type Duration, parseDuration } from './util/duration.ts';
import { RecentCache } from './util/recent-cache.ts';

/**
 * Anomaly signals: `security.anomaly` events for patterns worth a look. Off unless configured;
 * each detector is on when its key is given (`true` takes the defaults). Counting is per process,
 * in fixed windows: a signal for operators and alerts, not an enforcement (rate limits enforce).
 */
export interface AnomalyOptions {
  /** Failed logins (`login.failed`) per account and per IP within `window`. */
  failedLogins?:
    | boolean
    | {
        /** Failures against one account that raise the signal. @default 10 */
        perAccount?: number;
        /** Failures from one IP that raise the signal. @default 50 */
        perIp?: number;
        /** @default '5m' */
        window?: Duration;
      };
  /** One user logging in from many distinct IPs within `window`. */
  distinctIps?:
    | boolean
    | {
        /** Distinct IPs that raise the signal. @default 5 */
        threshold?: number;
        /** @default '1h' */
        window?: Duration;
      };
  /** Refresh-token reuse (also `refresh.reused`), as an anomaly that alerts can count with the rest. @default false */
  refreshReuse?: boolean;
}

/** The validated detectors; null members are off. */
export interface ResolvedAnomalies {
  readonly failedLogins: { perAccount: number; perIp: number; windowMs: number } | null;
  readonly distinctIps: { threshold: number; windowMs: number } | null;
  readonly refreshReuse: boolean;
}

const OFF: ResolvedAnomalies = { failedLogins: null, distinctIps: null, refreshReuse: false };
const KEYS: Record<keyof AnomalyOptions, true> = {
  failedLogins: true,
  distinctIps: true,
  refreshReuse: true,
};
/** Keys tracked per detector: an attacker rotating accounts or IPs cannot grow memory past it. */
const TRACKED = 10_000;

/** Validates `anomalies`, pushing one line per problem to `issues`. */
export function resolveAnomalies(
  input: AnomalyOptions | undefined,
  issues: string[],
): ResolvedAnomalies {
  if (input === undefined) return OFF;
  if (input === null || typeof input !== 'object') {
    issues.push('anomalies: must be an object');
    return OFF;
  }
  for (const key of Object.keys(input)) {
    if (!(key in KEYS)) issues.push(`anomalies.${key}: unknown option`);
  }
  const count = (value: unknown, name: string, fallback: number): number => {
    const n = value ?? fallback;
    if (Number.isInteger(n) && (n as number) >= 2 && (n as number) <= 1_000_000) return n as number;
    issues.push(`anomalies.${name}: an integer from 2 to 1000000`);
    return fallback;
  };
  const window = (value: unknown, name: string, fallback: string): number => {
    const ms = parseDuration((value ?? fallback) as Duration);
    if (ms !== null && ms > 0) return ms;
    issues.push(`anomalies.${name}: not a valid duration`);
    return parseDuration(fallback)!;
  };
  const section = (value: unknown, name: string, known: readonly string[]) => {
    if (value === undefined || value === false) return null;
    if (value === true) return {} as Record<string, unknown>;
    if (value === null || typeof value !== 'object') {
      issues.push(`anomalies.${name}: true, false or an object`);
      return null;
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) issues.push(`anomalies.${name}.${key}: unknown option`);
    }
    return value as Record<string, unknown>;
  };
  const logins = section(input.failedLogins, 'failedLogins', ['perAccount', 'perIp', 'window']);
  const ips = section(input.distinctIps, 'distinctIps', ['threshold', 'window']);
  if (input.refreshReuse !== undefined && typeof input.refreshReuse !== 'boolean') {
    issues.push('anomalies.refreshReuse: a boolean');
  }
  return {
    failedLogins: logins && {
      perAccount: count(logins.perAccount, 'failedLogins.perAccount', 10),
      perIp: count(logins.perIp, 'failedLogins.perIp', 50),
      windowMs: window(logins.window, 'failedLogins.window', '5m'),
    },
    distinctIps: ips && {
      threshold: count(ips.threshold, 'distinctIps.threshold', 5),
      windowMs: window(ips.window, 'distinctIps.window', '1h'),
    },
    refreshReuse: input.refreshReuse === true,
  };
}

type Anomaly = SessEventMap['security.anomaly'];

/** One fixed window of one key: how many, since when, and whether the signal went out. */
interface Tally {
  start: number;
  count: number;
  ips: Set<string> | null;
  reported: boolean;
}

/** Counts what the detectors watch and emits `security.anomaly` once per key and window. */
export class AnomalyDetector {
  readonly #config: ResolvedAnomalies;
  readonly #events: EventHub;
  readonly #tallies = new RecentCache<Tally>(TRACKED * 3);

  constructor(config: ResolvedAnomalies, events: EventHub) {
    this.#config = config;
    this.#events = events;
  }

  /** A refused login, with the account already hashed. */
  loginFailed(account: string | null, ip: string | null, now: number): void {
    const rule = this.#config.failedLogins;
    if (rule === null) return;
    if (account !== null) this.#count('account', account, rule.perAccount, rule.windowMs, now);
    if (ip !== null) this.#count('ip', ip, rule.perIp, rule.windowMs, now);
  }

  /** A login that created a session for `userId` from `ip`. */
  loggedIn(userId: string, ip: string | null | undefined, now: number): void {
    const rule = this.#config.distinctIps;
    if (rule === null || !ip) return;
    const tally = this.#tally(`user:${userId}`, rule.windowMs, now);
    tally.ips ??= new Set();
    if (tally.ips.size < rule.threshold) tally.ips.add(ip);
    this.#report(tally, rule.threshold, tally.ips.size, {
      kind: 'distinct-ip-burst',
      scope: 'user',
      subject: userId,
      count: tally.ips.size,
      windowMs: rule.windowMs,
    });
  }

  /** Refresh-token reuse on a session. */
  reused(sessionId: string): void {
    if (!this.#config.refreshReuse) return;
    this.#events.emit('security.anomaly', {
      kind: 'refresh-reuse',
      scope: 'session',
      subject: sessionId,
      count: 1,
      windowMs: 0,
    });
  }

  #count(
    scope: 'account' | 'ip',
    subject: string,
    threshold: number,
    windowMs: number,
    now: number,
  ) {
    const tally = this.#tally(`${scope}:${subject}`, windowMs, now);
    tally.count++;
    this.#report(tally, threshold, tally.count, {
      kind: 'failed-login-burst',
      scope,
      subject,
      count: tally.count,
      windowMs,
    });
  }

  #tally(key: string, windowMs: number, now: number): Tally {
    let tally = this.#tallies.get(key);
    if (tally === undefined || now - tally.start >= windowMs) {
      tally = { start: now, count: 0, ips: null, reported: false };
      this.#tallies.set(key, tally);
    }
    return tally;
  }

  #report(tally: Tally, threshold: number, value: number, anomaly: Anomaly): void {
    if (tally.reported || value < threshold) return;
    tally.reported = true;
    this.#events.emit('security.anomaly', anomaly);
  }
}
