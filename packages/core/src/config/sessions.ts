import type { Duration } from '../util/duration.ts';

/** Ready-made lifetimes following common practice; every value can still be overridden. */
export type Preset = 'b2b' | 'b2c' | 'internal';

/** The timeouts of one session class. */
export interface SessionClassOptions {
  /** Ends the session after this long without activity. @default '30m' (standard), '14d' (rememberMe) */
  idleTimeout?: Duration;
  /** Ends the session this long after login, whatever happens. @default '8h' (standard), '30d' (rememberMe) */
  absoluteTimeout?: Duration;
  /**
   * Database strategy: rotate the credential after this long (the old one keeps working for the
   * reuse window). `false` turns renewal off. @default '1h'
   */
  renewalInterval?: Duration | false;
  /** Persist cookies across browser restarts (`Max-Age`) instead of browser-session cookies. @default false (standard), true (rememberMe) */
  persistent?: boolean;
}

/** The timeouts of one session class, in milliseconds. */
export interface ResolvedSessionClass {
  idleMs: number;
  absoluteMs: number;
  renewalMs: number | null;
  persistent: boolean;
  /** How long an expired record is retained for the "timed out" answer (`timeoutNotice`). */
  noticeMs: number;
}

/** The lifetimes of each preset. */
export const PRESETS: Record<
  Preset,
  { accessTokenTtl: Duration; standard: SessionClassOptions; rememberMe: SessionClassOptions }
> = {
  b2b: {
    accessTokenTtl: '15m',
    standard: { idleTimeout: '1d', absoluteTimeout: '7d' },
    rememberMe: { idleTimeout: '7d', absoluteTimeout: '7d' },
  },
  b2c: {
    accessTokenTtl: '1h',
    standard: { idleTimeout: '7d', absoluteTimeout: '30d' },
    rememberMe: { idleTimeout: '30d', absoluteTimeout: '30d' },
  },
  internal: {
    accessTokenTtl: '8h',
    standard: { idleTimeout: '7d', absoluteTimeout: '90d' },
    rememberMe: { idleTimeout: '90d', absoluteTimeout: '90d' },
  },
};

const DEFAULT_CLASSES: Record<string, SessionClassOptions> = {
  standard: { idleTimeout: '30m', absoluteTimeout: '8h', renewalInterval: '1h', persistent: false },
  rememberMe: {
    idleTimeout: '14d',
    absoluteTimeout: '30d',
    renewalInterval: '1h',
    persistent: true,
  },
};

/** Parses a duration option, pushing an issue (and answering 0) when it is invalid. */
export type DurationReader = (value: unknown, name: string, fallback: Duration) => number;

/**
 * The session classes: `standard` and `rememberMe` always, plus the app's own, with defaults, the
 * preset and the options applied in that order.
 */
export function resolveClasses(
  sessions: Record<string, SessionClassOptions> | undefined,
  preset: (typeof PRESETS)[Preset] | undefined,
  noticeMs: number,
  duration: DurationReader,
  issues: string[],
): Map<string, ResolvedSessionClass> {
  const classes = new Map<string, ResolvedSessionClass>();
  const classOptions: Record<string, SessionClassOptions> = {
    standard: { ...DEFAULT_CLASSES.standard, ...preset?.standard, ...sessions?.standard },
    rememberMe: {
      ...DEFAULT_CLASSES.rememberMe,
      ...preset?.rememberMe,
      ...sessions?.rememberMe,
    },
  };
  for (const [name, value] of Object.entries(sessions ?? {})) {
    if (!(name in classOptions)) classOptions[name] = { ...DEFAULT_CLASSES.standard, ...value };
  }
  for (const [name, value] of Object.entries(classOptions)) {
    const prefix = `sessions.${name}`;
    const idleMs = duration(value.idleTimeout, `${prefix}.idleTimeout`, '30m');
    const absoluteMs = duration(value.absoluteTimeout, `${prefix}.absoluteTimeout`, '8h');
    const renewalMs =
      value.renewalInterval === false
        ? null
        : duration(value.renewalInterval, `${prefix}.renewalInterval`, '1h');
    if (idleMs <= 0) issues.push(`${prefix}.idleTimeout: must be positive`);
    if (absoluteMs < idleMs)
      issues.push(`${prefix}.absoluteTimeout: must not be shorter than idleTimeout`);
    classes.set(name, {
      idleMs,
      absoluteMs,
      renewalMs,
      persistent: value.persistent ?? false,
      noticeMs,
    });
  }

  return classes;
}
