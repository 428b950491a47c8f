import type { ConformanceCase } from '../types.ts';
import { explore } from './model/explore.ts';

/**
 * Model-based cases: a real `SessionManager` (idle 10m, absolute 30m, renewal 15m, reuse window
 * 10s) over the store under test, driven by random command lists (create; validate and refresh
 * with the current, previous, retired or a mutated credential or token; parallel refreshes;
 * revoke; log out everywhere with or without an exception; data updates with fresh or stale
 * versions; clock steps; and a write held between the manager's read and its compare-and-set
 * while a revoke, refresh or logout-all runs). Every call's outcome must match a small model, and
 * after every step: a revoked session is gone from the store (no revocation lost, nothing written
 * back); a live one holds exactly the last secret issued as its head (one live head per refresh
 * family) and the expiry its timeouts allow; `list()` shows exactly the live sessions of each
 * user (none after logout-all); at the end, every credential and access token a dead session ever
 * had is refused. Failing runs are shrunk and reported with a replay seed.
 */
export const modelCases: ConformanceCase[] = [
  {
    id: 'model-interleavings',
    title:
      'database strategy, random create/validate/refresh/replay/revoke/logout-all/clock interleavings through a real SessionManager: no lost revocation, one live head, nothing written back, timeouts hold',
    run: (ctx) => explore(ctx, 'model-interleavings', 'database'),
  },
  {
    id: 'model-access-tokens',
    title:
      "jwt strategy, the same interleavings with access tokens checked on the issuing instance and on a second one that asks the store: a revoked session's tokens die everywhere",
    run: (ctx) => explore(ctx, 'model-access-tokens', 'jwt'),
  },
];
