/**
 * `@sess/core/http`: what a binding author needs. The auth routes as data ({@link AUTH_ROUTES}),
 * `createBinding`, which derives a whole binding from them, and the framework-neutral HTTP layer
 * underneath (`createHttpAuth`). Apps import from `@sess/core` and their binding instead.
 *
 * @packageDocumentation
 */

export { cryptoPath } from '../util/node-crypto.ts';
export {
  type BindingAdapter,
  type BindingOptions,
  createBinding,
  type GuestAccess,
  type Mount,
  type RateLimitOptions,
  type SessAuth,
  type SessMiddleware,
  type SessRouteHandlers,
  type Wrap,
} from './binding.ts';
export { type BodyFields, type BodySource, isFormType, parsedBody } from './body.ts';
export type * from './contract.ts';

export { createHttpAuth } from './http-auth.ts';
export { type NodeHeaders, type NodeRawHeaders, nodeRequest } from './node-request.ts';
export type {
  ClearSiteDataDirective,
  HttpAuthOptions,
  ResolvedHttpAuthOptions,
} from './options.ts';
export type { ErrorBody, HttpHeader, HttpReply } from './reply.ts';
export * from './routes.ts';
export {
  createStepRunner,
  type Outcome,
  type Runner,
  type Step,
  type StepRunner,
} from './runner.ts';
export { type AuthState, isBrowserRequest, type SessCookies } from './state.ts';
