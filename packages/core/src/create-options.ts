import type { RequestInfo } from './device-binding.ts';
import type { SessionData, SessionMeta } from './store.ts';

/** Options of `SessionManager.create`. */
export interface CreateOptions {
  /** The application's session data. @default {} */
  data?: SessionData;
  /** Device facts; `request` fills userAgent and ip when they are not given here. */
  meta?: SessionMeta;
  /** The request the login came from. */
  request?: RequestInfo;
  /** The session class whose timeouts apply. @default 'standard' */
  sessionClass?: string;
}
