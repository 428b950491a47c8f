import type { Logger } from '@sess/core';

/** One line a {@link recordingLogger} received. */
export interface LoggedLine {
  level: keyof Logger;
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps every line, with its level and fields. */
export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push({ level, message, ...(fields ? { fields } : {}) });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
}
