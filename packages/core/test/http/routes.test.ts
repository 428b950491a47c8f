import { describe, expect, it } from 'vitest';
import { AUTH_ROUTE_NAMES, AUTH_ROUTES, matchRoute } from '../../src/http/index.ts';
import { resolveRoutesOptions } from '../../src/http/routes.ts';

const login = () => null;

describe('the auth route table', () => {
  it('names each route once, with what it reads', () => {
    expect(AUTH_ROUTE_NAMES).toEqual([
      'csrfToken',
      'login',
      'refresh',
      'logout',
      'logoutAll',
      'listSessions',
      'revokeSession',
    ]);
    expect(AUTH_ROUTE_NAMES.filter((name) => AUTH_ROUTES[name].verify)).toEqual(['login']);
    expect(AUTH_ROUTE_NAMES.filter((name) => AUTH_ROUTES[name].param)).toEqual(['revokeSession']);
  });

  it('puts refresh at the refresh cookie path and the others beside it', () => {
    const { paths } = resolveRoutesOptions({ login }, { refreshPath: '/api/v1/token' }, 'sid');
    expect(paths).toEqual({
      csrfToken: '/api/v1/csrf',
      login: '/api/v1/login',
      refresh: '/api/v1/token',
      logout: '/api/v1/logout',
      logoutAll: '/api/v1/logout-all',
      listSessions: '/api/v1/sessions',
      revokeSession: '/api/v1/sessions/:sid',
    });
    expect(resolveRoutesOptions({ login }, { refreshPath: '/refresh' }, 'id').paths.csrfToken).toBe(
      '/csrf',
    );
  });
});

describe('matchRoute: a method and path dispatcher', () => {
  const routes = [
    { method: 'GET', path: '/auth/sessions' },
    { method: 'DELETE', path: '/auth/sessions/:id' },
  ] as const;

  it('matches as Express and @koa/router do by default', () => {
    expect(matchRoute(routes, 'GET', '/auth/sessions')?.route).toBe(routes[0]);
    expect(matchRoute(routes, 'HEAD', '/auth/sessions')?.route).toBe(routes[0]);
    expect(matchRoute(routes, 'GET', '/auth/sessions/')?.route).toBe(routes[0]);
    expect(matchRoute(routes, 'GET', '/AUTH/Sessions')?.route).toBe(routes[0]);
    expect(matchRoute(routes, 'POST', '/auth/sessions')).toBeNull();
    expect(matchRoute(routes, 'GET', '/auth/sessions/x/y')).toBeNull();
  });

  it('reads parameters, decoded, and never an empty one', () => {
    expect(matchRoute(routes, 'DELETE', '/auth/sessions/a%2Fb')?.params).toEqual({ id: 'a/b' });
    expect(matchRoute(routes, 'DELETE', '/auth/sessions/%E0%A4%A')?.params).toEqual({
      id: '%E0%A4%A',
    });
    expect(matchRoute(routes, 'DELETE', '/auth/sessions/')).toBeNull();
  });
});
