export type { CsrfMode, CsrfOptions, ResolvedCsrf } from './config.ts';
export { resolveCsrfConfig } from './config.ts';
export type { FetchMetadataOptions } from './fetch-metadata.ts';
export { checkFetchMetadata } from './fetch-metadata.ts';
export type { OriginCheckOptions } from './origin.ts';
export { checkOrigin, normalizeOrigin } from './origin.ts';
export type {
  CsrfBinding,
  CsrfPreSession,
  CsrfProtection,
  CsrfRequestContext,
} from './protection.ts';
export { createCsrfProtection, isSafeMethod } from './protection.ts';
export type { CsrfTokens } from './tokens.ts';
export { createCsrfTokens, MIN_CSRF_KEY_BYTES } from './tokens.ts';
