import { type Logger, silentLogger } from '@sess/core';

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** sess's log lines as JSON on stderr, from `level` up; sess never puts a secret in them. */
export function stderrLogger(level: LogLevel): Logger {
  if (level === 'off') return silentLogger;
  const rank = LOG_LEVELS.indexOf(level);
  const line =
    (name: Exclude<LogLevel, 'off'>) => (message: string, fields?: Record<string, unknown>) => {
      if (LOG_LEVELS.indexOf(name) > rank) return;
      process.stderr.write(`${JSON.stringify({ level: name, message, ...fields })}\n`);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
