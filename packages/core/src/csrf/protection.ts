import { ConfigError, CsrfError, type CsrfFailureReason } from '../errors.ts';
import type { RequestLike } from '../request.ts';
import { randomToken, timingSafeEqual } from '../util/crypto.ts';
import { type CsrfOptions, type ResolvedCsrf, resolveCsrfConfig } from './config.ts';
import { checkFetchMetadata } from './fetch-metadata.ts';
import { matchOrigin } from './origin.ts';
import { type CsrfTokens, createCsrfTokens } from './tokens.ts';

/** What a token is bound to: the session, or before login the pre-session. */
export type CsrfBinding = { sessionId: string } | { preSessionId: string };

/**
 * What the binding knows about the request besides its headers. Pass `sessionId` for a
 * cookie-authenticated request; otherwise (the login form) pass `preSessionId`, the value of the
 * CSRF cookie. When `sessionId` is present the token must be bound to it: a pre-session token
 * stops working at login.
 */
export interface CsrfRequestContext {
  /** The public id of the session that authenticated the request. */
  sessionId?: string | null;
  /** Before login: the pre-session id read from the CSRF cookie. */
  preSessionId?: string | null;
  /** `double-submit` with a session: the value of the CSRF cookie. */
  cookieToken?: string | null;
  /** The token from the `formField` of a form post, read by the binding from the body. */
  formToken?: string | null;
}

/** A pre-session: the id to store in the CSRF cookie and the token bound to it, for the login form. */
export interface CsrfPreSession {
  /** 128 random bits, base64url; set it with `csrfCookie`. */
  readonly preSessionId: string;
  /** The token for the login form, bound to `preSessionId`. */
  readonly token: string;
}

/** The CSRF defence of a sess instance; create it once with {@link createCsrfProtection}. */
export interface CsrfProtection {
  /** The validated options (header name, form field, mode) for bindings to read. */
  readonly config: ResolvedCsrf;
  /**
   * Resolves when the request may proceed; throws `CsrfError` (403) with the failed check as
   * `reason` otherwise. Safe methods (GET, HEAD, OPTIONS, TRACE) pass untouched; unsafe ones go
   * through Fetch Metadata, then the Origin check, then (unless `origin-only`) the token from the
   * header, or else from `context.formToken`.
   */
  protect(req: RequestLike, context?: CsrfRequestContext): Promise<void>;
  /**
   * A fresh token for a session or a pre-session. Re-issue one for the new session id after login
   * and after every session regeneration: tokens of the old id no longer verify.
   * @throws ConfigError in `origin-only` mode, which has no tokens.
   */
  issue(binding: CsrfBinding): Promise<string>;
  /**
   * Mints a pre-session for the login form (login CSRF): store `preSessionId` in the CSRF cookie,
   * hand `token` to the page. After login, issue a token for the real session (in `double-submit`,
   * write it to the CSRF cookie in place of the pre-session id).
   * @throws ConfigError in `origin-only` mode.
   */
  preSession(): Promise<CsrfPreSession>;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * True for the methods that must not change state (GET, HEAD, OPTIONS, TRACE). Exact, upper-case
 * match: any other spelling is treated as unsafe and checked.
 */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/**
 * Creates the CSRF defence: Fetch Metadata, the Origin check and (by mode) session-bound tokens.
 * Options are validated once, here. The session manager builds one for you (`sess.csrf`), keyed
 * from its secret; build your own only to use the checks without the manager.
 *
 * @param key the token key, at least 32 bytes (or a promise of it); unused in `origin-only` mode.
 * @throws ConfigError listing every invalid option, or a missing key in a token mode.
 * @example
 * ```ts
 * const key = crypto.getRandomValues(new Uint8Array(32)); // or a 32-byte secret from your vault
 * const csrf = createCsrfProtection({ trustedOrigins: ['https://app.example.com'] }, key);
 * // on a cookie-authenticated POST:
 * await csrf.protect(request, { sessionId: session.id, formToken: body._csrf });
 * ```
 */
export function createCsrfProtection(
  options: CsrfOptions,
  key?: Uint8Array | Promise<Uint8Array>,
): CsrfProtection {
  const { value: config, issues } = resolveCsrfConfig(options);
  if (config.mode !== 'origin-only' && key === undefined) {
    issues.push(`key: required in the '${config.mode}' mode`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const trusted: ReadonlySet<string> = new Set(config.trustedOrigins);
  const tokens = config.mode === 'origin-only' ? null : createCsrfTokens(key!);

  const needTokens = (): CsrfTokens => {
    if (tokens === null) throw new ConfigError(["mode: 'origin-only' issues no tokens"]);
    return tokens;
  };

  const checkToken = async (
    req: RequestLike,
    context: CsrfRequestContext,
    issuer: CsrfTokens,
  ): Promise<CsrfFailureReason | null> => {
    const token = filled(req.headers.get(config.headerName)) ?? filled(context.formToken);
    if (token === null) return 'token-missing';
    const sessionId = filled(context.sessionId);
    const preSessionId = filled(context.preSessionId);
    // The session wins: once logged in, a pre-session token no longer counts.
    const binding =
      sessionId !== null
        ? label({ sessionId })
        : preSessionId !== null
          ? label({ preSessionId })
          : null;
    if (binding === null) return 'token-invalid';
    if (config.mode === 'double-submit' && sessionId !== null) {
      const cookieToken = filled(context.cookieToken);
      if (cookieToken === null) return 'token-missing';
      if (!timingSafeEqual(cookieToken, token)) return 'token-invalid';
    }
    return (await issuer.verify(token, binding)) ? null : 'token-invalid';
  };

  return Object.freeze({
    config,
    async protect(req: RequestLike, context: CsrfRequestContext = {}): Promise<void> {
      if (isSafeMethod(req.method)) return;
      const reason =
        checkFetchMetadata(req, config) ??
        matchOrigin(req, trusted, config.allowMissingOrigin) ??
        (tokens === null ? null : await checkToken(req, context, tokens));
      if (reason !== null) throw new CsrfError(reason);
    },
    async issue(binding: CsrfBinding): Promise<string> {
      return needTokens().issue(label(binding));
    },
    async preSession(): Promise<CsrfPreSession> {
      const issuer = needTokens();
      const preSessionId = randomToken(16);
      return { preSessionId, token: await issuer.issue(label({ preSessionId })) };
    },
  });
}

// Domain separation: a pre-session token can never pass as a session token, or the reverse.
function label(binding: CsrfBinding): string {
  const [kind, id] =
    'sessionId' in binding ? ['session', binding.sessionId] : ['pre-session', binding.preSessionId];
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError('A CSRF binding needs a non-empty id');
  }
  return `${kind}|${id}`;
}

function filled(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
