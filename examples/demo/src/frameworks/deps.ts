import type { RequestListener } from 'node:http';
import type { RateLimiterLike, SessionManager } from '@sess/core';
import type { DemoRoutes } from '../app.ts';

/** What each framework file wires together. */
export interface AppDeps {
  readonly sess: SessionManager;
  readonly routes: DemoRoutes;
  readonly loginLimiter: RateLimiterLike;
  /** Set on every response (see `securityHeaders`). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Builds one framework's app as a Node request listener. */
export type AppFactory = (deps: AppDeps) => RequestListener;

/** Parser errors (malformed JSON, too large) carry a 4xx `status`; anything else is a 500. */
export function clientErrorStatus(error: unknown): 400 | 413 | null {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 413 ? 413 : status === 400 ? 400 : null;
}

/** The body limit of the demo's own routes, as sess's own. */
export const BODY_LIMIT = '16kb';
