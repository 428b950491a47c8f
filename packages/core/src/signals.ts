import type { CsrfProtection, CsrfRequestContext } from './csrf/index.ts';
import { type AnySessError, CsrfError, isSessError } from './errors.ts';
import type { EventHub, LoginFailureReason } from './events.ts';
import type { ManagerContext } from './manager-context.ts';
import type { RequestLike } from './request.ts';
import { hmac, importHmacKey } from './util/crypto.ts';

/** What the app reports about a login it refused (`SessionManager.loginFailed`). */
export interface LoginFailure {
  /** Why, from a fixed vocabulary. @default 'invalid-credentials' */
  reason?: LoginFailureReason;
  /** The account name tried (an email, say): hashed with a server key before any event or log sees it. */
  account?: string | null;
  /** The client IP. */
  ip?: string | null;
}

const LOGIN_REASONS: ReadonlySet<string> = new Set<LoginFailureReason>([
  'invalid-credentials',
  'unknown-account',
  'bad-password',
  'locked',
  'disabled',
  'other',
]);
const ROUTE_NAME = /^[\w./:-]{1,64}$/;
const IP = /^[0-9a-fA-F.:]{2,45}$/;

/** The client IP for an event, or null when it is not shaped like one (it may come from a header). */
export function boundedIp(ip: string | null | undefined): string | null {
  return typeof ip === 'string' && IP.test(ip) ? ip : null;
}

/**
 * The authentication failures reported from outside the manager's own calls (a refused login, a
 * refused credential, a rate limit), turned into bounded events. Internal to the session manager.
 */
export class AuthSignals {
  readonly #ctx: ManagerContext;
  readonly #accountKey: Promise<CryptoKey>;

  constructor(ctx: ManagerContext, accountKey: Promise<Uint8Array>) {
    this.#ctx = ctx;
    this.#accountKey = accountKey.then(importHmacKey);
    this.#accountKey.catch(() => {}); // surfaced on first use
  }

  async loginFailed(failure: LoginFailure): Promise<void> {
    const ctx = this.#ctx;
    const account =
      typeof failure.account === 'string' && failure.account.length > 0
        ? (await hmac(await this.#accountKey, failure.account.trim().toLowerCase())).slice(0, 22)
        : null;
    const reason = LOGIN_REASONS.has(failure.reason as string)
      ? (failure.reason as LoginFailureReason)
      : 'invalid-credentials';
    const ip = boundedIp(failure.ip);
    ctx.events.emit('login.failed', { reason, account, ip });
    ctx.anomalies.loginFailed(account, ip, ctx.now());
  }

  credentialRefused(error: AnySessError, via: 'cookie' | 'bearer' | 'refresh'): void {
    const reason = (error as { reason?: unknown }).reason;
    this.#ctx.events.emit('credential.refused', {
      code: error.code,
      reason: typeof reason === 'string' ? reason : null,
      via,
    });
  }

  rateLimited(route: string): void {
    this.#ctx.events.emit('ratelimit.exceeded', {
      route: ROUTE_NAME.test(route) ? route : 'other',
    });
  }
}

/** Wraps CSRF protection so every refusal is also a `csrf.rejected` event. */
export function observedCsrf(csrf: CsrfProtection, events: EventHub): CsrfProtection {
  return Object.freeze({
    ...csrf,
    protect: async (req: RequestLike, context?: CsrfRequestContext): Promise<void> => {
      try {
        await csrf.protect(req, context);
      } catch (error) {
        if (isSessError(error) && error.code === CsrfError.code) {
          // The method is client input: bounded before it reaches a log line.
          events.emit('csrf.rejected', { reason: error.reason, method: req.method.slice(0, 16) });
        }
        throw error;
      }
    },
  });
}
