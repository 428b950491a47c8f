export {
  type BindingAdapter,
  type BindingOptions,
  createBinding,
  type LoginRefusal,
  type LoginVerifier,
  type Outcome,
  type RateLimitOptions,
  type Runner,
  type SessAuth,
  type Wrap,
} from './binding.ts';
export { type BodyFields, type BodySource, parsedBody } from './body.ts';
export {
  createHttpAuth,
  type DeviceView,
  type HttpAuth,
  type LoginGrant,
  type RateLimiterLike,
} from './http-auth.ts';
export { type NodeHeaders, type NodeRawHeaders, nodeRequest } from './node-request.ts';
export type {
  ClearSiteDataDirective,
  HttpAuthOptions,
  ResolvedHttpAuthOptions,
} from './options.ts';
export type { ErrorBody, HttpHeader, HttpReply } from './reply.ts';
export { type AuthState, isBrowserRequest, type SessCookies } from './state.ts';
