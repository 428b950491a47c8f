import assert from 'node:assert/strict';
import type { SessionManager } from '@sess/core';
import { benchManager } from '../fixtures.ts';
import { pooled } from '../mixes.ts';
import type { OpsRow } from '../results.ts';
import { openStore, type Services, STORE_KINDS } from '../services.ts';
import { alternate, type MicroCase, summarizeRuns } from './alternate.ts';

/** Operations in flight: one at a time, and a busy server's worth. */
export const CONCURRENCY = [1, 64] as const;

const OPS = ['create', 'refresh', 'revoke'] as const;
const USERS = 1000;

/**
 * The cases of one store: create, refresh (each in-flight call rotates a different session, so the
 * numbers are real rotations, not retries inside the reuse window) and revoke (of sessions made
 * beforehand, untimed), each with 1 and 64 operations in flight. Jwt strategy: refresh signs a new
 * access token and revoke deny-lists the session's tokens, as in production.
 */
function casesFor(sess: SessionManager, store: string, poolSize: number): MicroCase[] {
  let user = 0;
  const nextUser = () => `bench-user-${user++ % USERS}`;
  const cases: MicroCase[] = [];
  for (const concurrency of CONCURRENCY) {
    const credentials: string[] = [];
    const doomed: string[] = [];
    // Warm-up calls (up to 3, one at a time) come out of the same pool as the samples.
    const maxSamples = Math.floor((poolSize - 3) / concurrency);
    cases.push(
      {
        name: `${store} create ${concurrency}`,
        concurrency,
        unbatched: true,
        run: () => sess.create(nextUser()),
      },
      {
        name: `${store} refresh ${concurrency}`,
        concurrency,
        unbatched: true,
        prepare: async () => {
          while (credentials.length < concurrency * 2) {
            credentials.push((await sess.create(nextUser())).credential);
          }
        },
        run: async () => {
          const issued = await sess.refresh(credentials.shift()!);
          credentials.push(issued.credential);
        },
      },
      {
        name: `${store} revoke ${concurrency}`,
        concurrency,
        unbatched: true,
        maxSamples,
        prepare: async () => {
          doomed.length = 0;
          await pooled(poolSize, 64, async () => {
            doomed.push((await sess.create(nextUser())).session.id);
          });
        },
        run: () => sess.revoke(doomed.pop()!),
      },
    );
  }
  return cases;
}

/** Create, refresh and revoke per store, alternating within each store. */
export async function benchOps(
  services: Services,
  runs: number,
  cpuMs: number,
  poolSize: number,
  log: (line: string) => void,
): Promise<OpsRow[]> {
  const rows: OpsRow[] = [];
  for (const kind of STORE_KINDS) {
    const store = await openStore(kind, services, 'ops');
    const sess = benchManager(store, 'jwt');
    try {
      // Correctness first: a refresh rotates, a revoked session stops validating.
      const issued = await sess.create('bench-check');
      const next = await sess.refresh(issued.credential);
      assert.notEqual(next.credential, issued.credential);
      await sess.revoke(next.session.id);
      await assert.rejects(sess.validate(next.accessToken));
      const cases = casesFor(sess, kind, poolSize);
      const summaries = summarizeRuns(await alternate(cases, runs, cpuMs, log));
      for (const op of OPS) {
        for (const concurrency of CONCURRENCY) {
          const opsPerSec = summaries.get(`${kind} ${op} ${concurrency}`)!;
          rows.push({ store: kind, op, concurrency, opsPerSec });
        }
      }
    } finally {
      await sess.close(); // before its store: a replica sync in flight settles first
      await store.close();
    }
  }
  return rows;
}
