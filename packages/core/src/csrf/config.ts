import { type KnownOptions, unknownOptionIssues } from '../util/known-keys.ts';
import { normalizeOrigin } from './origin.ts';

/**
 * How unsafe requests are protected. Fetch Metadata and the Origin check run in every mode.
 * - `'synchronizer'`: a token bound to the session id, sent by the page in a header or form field.
 * - `'double-submit'`: the same signed, session-bound token, which must also equal the value of
 *   the CSRF cookie; for setups that prefer keeping the current token in a cookie.
 * - `'origin-only'`: no token; Fetch Metadata and Origin alone. Sound only for browsers that send
 *   `Origin`, which all current ones do.
 */
export type CsrfMode = 'synchronizer' | 'double-submit' | 'origin-only';

/**
 * CSRF options. Validated once by {@link resolveCsrfConfig} (and {@link createCsrfProtection}).
 * The token key is not an option: the session manager derives it from its secret.
 *
 * @example
 * ```ts
 * const csrf: CsrfOptions = { trustedOrigins: ['https://app.example.com'] };
 * ```
 */
export interface CsrfOptions {
  /**
   * The origins allowed to send unsafe requests, each `scheme://host[:port]` with no path. Matched
   * exactly after normalisation; never by suffix or pattern.
   */
  trustedOrigins: readonly string[];
  /** @default 'synchronizer' */
  mode?: CsrfMode;
  /**
   * The request header carrying the token. It must not be a CORS-safelisted header, so a
   * cross-origin page cannot send it without a preflight.
   * @default 'x-csrf-token'
   */
  headerName?: string;
  /**
   * The form field carrying the token in `application/x-www-form-urlencoded` or multipart posts;
   * the binding reads it and passes it in. Never a query parameter.
   * @default '_csrf'
   */
  formField?: string;
  /** Accept `Sec-Fetch-Site: same-site` (see {@link FetchMetadataOptions}). @default false */
  allowSameSite?: boolean;
  /** Accept unsafe requests with neither `Origin` nor `Referer` (see {@link OriginCheckOptions}). @default false */
  allowMissingOrigin?: boolean;
}

/** CSRF options after validation, normalisation and defaults; frozen. */
export interface ResolvedCsrf {
  readonly mode: CsrfMode;
  /** Normalised origins (see {@link normalizeOrigin}). */
  readonly trustedOrigins: readonly string[];
  /** Lower-cased header name. */
  readonly headerName: string;
  readonly formField: string;
  readonly allowSameSite: boolean;
  readonly allowMissingOrigin: boolean;
}

const MODES: ReadonlySet<unknown> = new Set(['synchronizer', 'double-submit', 'origin-only']);
const OPTION_KEYS = {
  trustedOrigins: true,
  mode: true,
  headerName: true,
  formField: true,
  allowSameSite: true,
  allowMissingOrigin: true,
} as const satisfies KnownOptions<CsrfOptions>;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// Headers a cross-origin page may send without a CORS preflight, plus the cookie itself.
const UNFIT_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type',
  'range',
  'cookie',
]);

/**
 * Validates {@link CsrfOptions} and applies the defaults. It never throws: every problem is
 * returned in `issues` (option paths relative to the CSRF options), so the caller can report them
 * all in one `ConfigError`. `value` is usable only when `issues` is empty.
 */
export function resolveCsrfConfig(options: CsrfOptions): {
  value: ResolvedCsrf;
  issues: string[];
} {
  const issues: string[] = [];
  const input: Partial<CsrfOptions> =
    options !== null && typeof options === 'object' ? options : {};
  if (input !== options) issues.push('must be an object');
  issues.push(...unknownOptionIssues(input, OPTION_KEYS));

  const mode = input.mode ?? 'synchronizer';
  if (!MODES.has(mode)) {
    issues.push(`mode: must be 'synchronizer', 'double-submit' or 'origin-only'`);
  }

  const trustedOrigins: string[] = [];
  if (!Array.isArray(input.trustedOrigins) || input.trustedOrigins.length === 0) {
    issues.push('trustedOrigins: list at least one origin, such as https://app.example.com');
  } else {
    input.trustedOrigins.forEach((origin: unknown, i) => {
      const normalized = typeof origin === 'string' ? normalizeOrigin(origin) : null;
      if (normalized === null) {
        issues.push(
          `trustedOrigins[${i}]: ${typeof origin === 'string' ? JSON.stringify(origin) : `a ${typeof origin}`} is not an http(s) origin (scheme://host[:port], no path)`,
        );
      } else if (!trustedOrigins.includes(normalized)) {
        trustedOrigins.push(normalized);
      }
    });
  }

  const headerName =
    input.headerName === undefined
      ? 'x-csrf-token'
      : typeof input.headerName === 'string'
        ? input.headerName.toLowerCase()
        : '';
  if (!HEADER_NAME.test(headerName)) {
    issues.push('headerName: not a valid header name');
  } else if (UNFIT_HEADERS.has(headerName)) {
    issues.push(`headerName: "${headerName}" needs no CORS preflight; use a custom header`);
  }
  const formField = input.formField ?? '_csrf';
  if (typeof formField !== 'string' || formField.length === 0) {
    issues.push('formField: must be a non-empty string');
  }
  const allowSameSite = input.allowSameSite ?? false;
  if (typeof allowSameSite !== 'boolean') issues.push('allowSameSite: must be a boolean');
  const allowMissingOrigin = input.allowMissingOrigin ?? false;
  if (typeof allowMissingOrigin !== 'boolean') {
    issues.push('allowMissingOrigin: must be a boolean');
  }

  return {
    value: Object.freeze({
      mode,
      trustedOrigins: Object.freeze(trustedOrigins),
      headerName,
      formField: typeof formField === 'string' ? formField : '',
      allowSameSite: allowSameSite === true,
      allowMissingOrigin: allowMissingOrigin === true,
    }),
    issues,
  };
}
