export {
  type BindingAdapter,
  type BindingOptions,
  createRunners,
  type LoginVerifier,
  type Outcome,
  type RateLimitOptions,
  type Runner,
  type SessAuth,
} from './binding.ts';
export { type BodyFields, type BodySource, parsedBody, readBody } from './body.ts';
export {
  createHttpAuth,
  type DeviceView,
  type HttpAuth,
  type LoginGrant,
  type RateLimiterLike,
} from './http-auth.ts';
export { type NodeHeaders, nodeRequest } from './node-request.ts';
export {
  type ClearSiteDataDirective,
  type HttpAuthOptions,
  type ResolvedHttpAuthOptions,
  resolveHttpAuthOptions,
} from './options.ts';
export { type ErrorBody, errorReply, type HttpHeader, type HttpReply } from './reply.ts';
export { type AuthState, authenticate, isBrowserRequest, type SessCookies } from './state.ts';
