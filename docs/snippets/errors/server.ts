import { type AnySessError, httpStatusFor, isSessError } from '@sess/core';

declare const log: { warn(message: string, fields: object): void };

/** The reply the bindings send for a sess error; anything else is a bug and stays a 500. */
export function errorResponse(error: unknown): Response {
  if (!isSessError(error)) throw error;
  logDetails(error);
  const headers = { 'cache-control': 'no-store' };
  return Response.json({ error: error.toJSON() }, { status: httpStatusFor(error.code), headers });
}

// `code` narrows the union: each class's details are typed. They are for logs, not for clients.
function logDetails(error: AnySessError): void {
  switch (error.code) {
    case 'ERR_SESS_CSRF':
      log.warn('csrf refused', { reason: error.reason });
      break;
    case 'ERR_SESS_INVALID_CREDENTIAL':
      log.warn('credential refused', { reason: error.reason });
      break;
    case 'ERR_SESS_STORE':
      log.warn('store failed', { operation: error.operation });
      break;
  }
}
