import type { Logger } from '@sess/core';

declare const pino: { [L in keyof Logger]: (fields: object, message: string) => void };

// pino and bunyan take (fields, message), the other way round from sess's Logger.
export const logger: Logger = {
  debug: (message, fields = {}) => pino.debug(fields, message),
  info: (message, fields = {}) => pino.info(fields, message),
  warn: (message, fields = {}) => pino.warn(fields, message),
  error: (message, fields = {}) => pino.error(fields, message),
};
