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
  let ms: number;
  if (typeof value === 'number') {
    if (!(value >= 0)) return null;
    ms = Math.round(value * 1000);
  } else {
    if (typeof value !== 'string') return null;
    const match = PATTERN.exec(value.trim());
    if (!match) return null;
    ms = Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
  }
  // Past 2^53 ms (285,000 years) arithmetic on it is inexact, and Infinity is no duration.
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Parses a {@link Duration} into milliseconds or throws a {@link ConfigError} naming the option. */
export function durationMs(value: Duration, option: string): number {
  const ms = parseDuration(value);
  if (ms === null) {
    // Only a string or number is shown: JSON.stringify throws on a BigInt.
    const shown = typeof value === 'string' || typeof value === 'number' ? value : typeof value;
    throw new ConfigError([`${option}: not a valid duration (${JSON.stringify(shown)})`]);
  }
  return ms;
}
