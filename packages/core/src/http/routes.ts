import type { ResolvedCookies } from '../cookies/index.ts';
import { ConfigError } from '../errors.ts';
import type { RequestLike } from '../request.ts';
import { type KnownOptions, unknownOptionIssues } from '../util/known-keys.ts';
import type { BodyFields } from './body.ts';
import type {
  HttpAuth,
  LoginGrant,
  LoginRefusal,
  LoginVerifier,
  RateLimiterLike,
} from './contract.ts';
import type { HttpReply } from './reply.ts';
import type { AuthState } from './state.ts';

/** What a route reads from its request, gathered by the binding before the route runs. */
export interface RouteInput {
  readonly request: RequestLike;
  readonly state: AuthState;
  /** The body (empty unless the route reads it). */
  readonly body: BodyFields;
  /** The session id route parameter (empty unless the route reads it). */
  readonly param: string;
  /** What the app's login verifier decided (null unless the route takes a verifier). */
  readonly verdict: LoginGrant | LoginRefusal | null;
}

/** One auth route: where it lives, what it reads, what it runs; `V`: it takes a verifier. */
export interface AuthRoute<V extends boolean = boolean> {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Its path below the prefix; `:id` is the session id parameter (`sessionIdParam`). */
  readonly path: string;
  /** Reads the body (JSON or form). */
  readonly body: boolean;
  /** Reads the session id route parameter. */
  readonly param: boolean;
  /** Takes the app's login verifier, which sees the body first. */
  readonly verify: V;
  /** Its behaviour, framework-neutral. */
  run(http: HttpAuth, input: RouteInput): Promise<HttpReply>;
}

const route = <V extends boolean = false>(
  method: AuthRoute['method'],
  path: string,
  reads: { body?: boolean; param?: boolean; verify?: V },
  run: AuthRoute['run'],
): AuthRoute<V> => ({
  method,
  path,
  body: reads.body ?? false,
  param: reads.param ?? false,
  verify: (reads.verify ?? false) as V,
  run,
});

/**
 * The auth routes, said once: every binding's handlers, their types and the one-line mount derive
 * from this table. The refresh route's path is the refresh cookie's (`cookies.refreshPath`); the
 * others live beside it.
 */
export interface AuthRouteTable {
  /** `GET /auth/csrf`: `{ csrfToken }`, setting the pre-session cookie when needed. */
  readonly csrfToken: AuthRoute<false>;
  /** `POST /auth/login`: runs `verify`, then creates (or regenerates) the session and sets cookies. */
  readonly login: AuthRoute<true>;
  /** `POST /auth/refresh`: rotates the refresh credential (cookie, or `refreshToken` in the body). */
  readonly refresh: AuthRoute<false>;
  /** `POST /auth/logout`: revokes the session and clears every auth cookie. */
  readonly logout: AuthRoute<false>;
  /** `POST /auth/logout-all` `{ exceptCurrent? }` → `{ revoked }`. */
  readonly logoutAll: AuthRoute<false>;
  /** `GET /auth/sessions`: the caller's devices. */
  readonly listSessions: AuthRoute<false>;
  /** `DELETE /auth/sessions/:id`: revokes one of the caller's sessions (404 for anyone else's). */
  readonly revokeSession: AuthRoute<false>;
}

/** The table itself (see {@link AuthRouteTable}). */
export const AUTH_ROUTES: AuthRouteTable = Object.freeze({
  csrfToken: route('GET', '/csrf', {}, (http, i) => http.csrfToken(i.state)),
  login: route('POST', '/login', { body: true, verify: true }, (http, i) =>
    http.login(i.request, i.state, i.verdict),
  ),
  refresh: route('POST', '/refresh', { body: true }, (http, i) =>
    http.refresh(i.request, i.state, i.body),
  ),
  logout: route('POST', '/logout', {}, (http, i) => http.logout(i.request, i.state)),
  logoutAll: route('POST', '/logout-all', { body: true }, (http, i) =>
    http.logoutAll(i.request, i.state, i.body),
  ),
  listSessions: route('GET', '/sessions', {}, (http, i) => http.listSessions(i.state)),
  revokeSession: route('DELETE', '/sessions/:id', { param: true }, (http, i) =>
    http.revokeSession(i.state, i.param),
  ),
});

/** The name of an auth route (and of the binding member that handles it). */
export type AuthRouteName = keyof AuthRouteTable;

/** The names of {@link AUTH_ROUTES}, in table order. */
export const AUTH_ROUTE_NAMES: readonly AuthRouteName[] = Object.freeze(
  Object.keys(AUTH_ROUTES) as AuthRouteName[],
);
const AUTH_ROUTES_KEYS = Object.fromEntries(AUTH_ROUTE_NAMES.map((name) => [name, true] as const));

/** An auth route where the one-line mount puts it: absolute path, the framework's handlers. */
export interface MountedRoute<M> {
  readonly name: AuthRouteName;
  readonly method: AuthRoute['method'];
  /** The absolute path, `:param` style (every router of the three reads it). */
  readonly path: string;
  readonly handlers: readonly M[];
}

/** Options of the one-line mount, `auth.routes(options)`. */
export interface RoutesOptions<C> {
  /** Checks the credentials of `POST /auth/login` (the `verify` of `login`). */
  login: LoginVerifier<C>;
  /**
   * Rate limiters (rate-limiter-flexible) put in front of routes, keyed by the client IP and
   * counted under the route's name (`{ login: limiter }` counts as `'login'`).
   * @default none
   */
  limit?: Partial<Record<AuthRouteName, RateLimiterLike>>;
  /**
   * The folder of the auth routes. It is the folder of the refresh cookie's path
   * (`cookies.refreshPath`), where the refresh route must live; any other value is a ConfigError.
   * @default the folder of `cookies.refreshPath` ('/auth')
   */
  prefix?: string;
}

const ROUTES_KEYS = {
  login: true,
  limit: true,
  prefix: true,
} as const satisfies KnownOptions<RoutesOptions<unknown>>;

/**
 * Validates the mount's options, once: every problem in one ConfigError. The refresh route goes
 * to the refresh cookie's path (so the cookie is sent to it), the others beside it; a `prefix`
 * that disagrees is refused, not obeyed, as the refresh route would sit where its cookie never
 * arrives.
 */
export function resolveRoutesOptions<C>(
  options: RoutesOptions<C>,
  cookies: Pick<ResolvedCookies, 'refreshPath'>,
  sessionIdParam: string,
): {
  login: LoginVerifier<C>;
  limit: Partial<Record<AuthRouteName, RateLimiterLike>>;
  paths: Readonly<Record<AuthRouteName, string>>;
} {
  const input =
    options !== null && typeof options === 'object' ? options : ({} as RoutesOptions<C>);
  const { login, limit = {}, prefix } = input;
  const { refreshPath } = cookies;
  const folder = refreshPath.slice(0, refreshPath.lastIndexOf('/'));
  const issues = unknownOptionIssues(input, ROUTES_KEYS, { path: 'routes' });
  if (typeof login !== 'function') issues.push('routes.login: a verify function');
  if (limit === null || typeof limit !== 'object') issues.push('routes.limit: an object');
  else {
    issues.push(...unknownOptionIssues(limit, AUTH_ROUTES_KEYS, { path: 'routes.limit' }));
    for (const [name, limiter] of Object.entries(limit)) {
      if (typeof (limiter as RateLimiterLike | undefined)?.consume !== 'function') {
        issues.push(`routes.limit.${name}: a rate-limiter-flexible limiter (with consume)`);
      }
    }
  }
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || prefix.replace(/\/+$/, '') !== folder)
  ) {
    issues.push(
      `routes.prefix: disagrees with the refresh cookie's path '${refreshPath}' ` +
        `(cookies.refreshPath): use '${folder || '/'}', or change cookies.refreshPath`,
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const paths = {} as Record<AuthRouteName, string>;
  for (const name of AUTH_ROUTE_NAMES) {
    const path = AUTH_ROUTES[name].path.replace(':id', `:${sessionIdParam}`);
    paths[name] = name === 'refresh' ? refreshPath : folder + path;
  }
  return { login, limit, paths: Object.freeze(paths) };
}

/** A route {@link matchRoute} found, with its parameters (decoded). */
export interface RouteMatch<R> {
  readonly route: R;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * A method and path dispatcher for routers-to-be (Koa has none of its own): the first route whose
 * method and path match, as Express and @koa/router match by default (HEAD as GET, letter case
 * ignored, one trailing slash allowed), or null.
 */
export function matchRoute<R extends Pick<MountedRoute<unknown>, 'method' | 'path'>>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteMatch<R> | null {
  const verb = method === 'HEAD' ? 'GET' : method;
  const want = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  for (const candidate of routes) {
    if (candidate.method !== verb) continue;
    const parts = candidate.path.split('/');
    if (parts.length !== want.length) continue;
    const params: Record<string, string> = {};
    const same = parts.every((part, index) => {
      const segment = want[index] as string;
      if (!part.startsWith(':')) return part.toLowerCase() === segment.toLowerCase();
      if (segment === '') return false;
      params[part.slice(1)] = decodeSegment(segment);
      return true;
    });
    if (same) return { route: candidate, params };
  }
  return null;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
