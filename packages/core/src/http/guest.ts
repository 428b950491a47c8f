import { isSafeMethod } from '../csrf/protection.ts';
import { ConfigError, InvalidCredentialError, isSessError } from '../errors.ts';
import type { GuestChange } from '../guest.ts';
import type { SessionManager } from '../manager.ts';
import type { RequestLike } from '../request.ts';
import type { Issued } from '../results.ts';
import type { GuestHttp, LoginGrant } from './contract.ts';
import { cookieHeaders, NO_STORE } from './reply.ts';
import type { AuthState } from './state.ts';

/** @internal The guest half of `createHttpAuth`. */
export function createGuestHttp(
  manager: SessionManager,
  checkCsrf: (req: RequestLike, state: AuthState, formToken?: string | null) => Promise<void>,
  csrfPassed: (state: AuthState) => boolean,
): GuestHttp {
  // A tossed guest cookie (sent twice) is trusted as little as any other sess cookie.
  const cookieOf = (state: AuthState) => (state.ambiguous ? undefined : state.cookies.guest);
  return Object.freeze({
    get: (state: AuthState) => manager.guest.read(cookieOf(state)),
    async set(req: RequestLike, state: AuthState, change: GuestChange, formToken?: string | null) {
      if (isSafeMethod(req.method)) {
        throw new ConfigError([
          `guest.set: not on ${req.method}; guest data is written by unsafe requests only`,
        ]);
      }
      if (!csrfPassed(state)) await checkCsrf(req, state, formToken);
      const request = { userAgent: req.headers.get('user-agent'), ip: req.ip ?? null };
      const written = await manager.guest.write(cookieOf(state), change, { request });
      const headers =
        written.cookies.length === 0 ? [] : [NO_STORE, ...cookieHeaders(written.cookies)];
      return { guest: written.guest, headers };
    },
  });
}

/**
 * A login's user session: the request's guest session upgraded (carrying `carry`) when there is a
 * live one, else a new session. A guest another login just upgraded counts as none.
 */
export async function loginSession(
  manager: SessionManager,
  state: AuthState,
  userId: string,
  options: Omit<LoginGrant, 'userId' | 'body'> & {
    request: { userAgent: string | null; ip: string | null };
  },
): Promise<Issued> {
  const { carry, ...createOptions } = options;
  const guest = state.ambiguous ? undefined : state.cookies.guest;
  if (manager.guest.enabled && guest !== undefined) {
    try {
      return await manager.guest.upgrade(guest, userId, { ...createOptions, carry });
    } catch (error) {
      if (!isSessError(error) || error.code !== InvalidCredentialError.code) throw error;
    }
  }
  return manager.create(userId, createOptions);
}
