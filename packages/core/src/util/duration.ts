import { ConfigError } from '../errors.ts';

/**
 * A duration: a number of seconds, or a string such as `'90s'`, `'15m'`, `'8h'`, `'30d'`, `'2w'`.
 * Also accepts `'500ms'`.
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd' | 'w'}`;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** Parses a {@link Duration} into milliseconds; returns null when it is not a valid duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null;
  }
  if (typeof value !== 'string') return null;
  const match = PATTERN.exec(value.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

/** Parses a {@link Duration} into milliseconds or throws a {@link ConfigError} naming the option. */
export function durationMs(value: Duration, option: string): number {
  const ms = parseDuration(value);
  if (ms === null)
    throw new ConfigError([`${option}: not a valid duration (${JSON.stringify(value)})`]);
  return ms;
}
