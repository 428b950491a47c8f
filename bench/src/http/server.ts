// The process of one HTTP contender: builds its app and its fixtures, listens on a loopback port,
// writes the credentials to a file, reports the port to the parent over IPC, answers 'stats' with
// its counters and a `ControlRequest` with its reply, and closes everything on 'stop'.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionManager } from '@sess/core';
import type { MixName } from '../mixes.ts';
import type { Framework } from '../options.ts';
import type { Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { buildExpress } from './express-app.ts';
import { buildHono } from './hono-app.ts';
import { buildKoa } from './koa-app.ts';
import { type CredentialSet, loadClock, sharedFixtures } from './setup.ts';

/** What the parent passes (as JSON in argv[2]). */
export interface ServerSpec {
  readonly framework: Framework;
  readonly kind: ContenderKind;
  readonly mix: MixName;
  readonly services: Services;
  /** Where to write the contender's `CredentialSet` as JSON. */
  readonly credentialsFile: string;
  /**
   * Read the credentials from `credentialsFile` instead of making them: a second process of the
   * same contender, on the first one's store data (sess contenders; see `sharedFixtures`).
   * @default false
   */
  readonly reuseFixtures?: boolean;
}

/** A session made or ended through this process (sess contenders), sent by the parent over IPC. */
export type ControlRequest = { readonly create: string } | { readonly revoke: string };

/** The reply to a `ControlRequest`: the session made, whether one was revoked, or what failed. */
export type ControlReply =
  | { readonly created: { readonly sessionId: string; readonly accessToken: string | null } }
  | { readonly revoked: boolean }
  | { readonly error: string };

/** The first message from the server process. */
export interface ServerReady {
  readonly port: number;
}

/** Counters since the server started; the parent takes differences around each timed run. */
export interface ServerStats {
  /** Requests the server received. */
  readonly requests: number;
  /** CPU time of the server process (all threads, user and system), microseconds. */
  readonly cpuMicros: number;
  /** sess's verified-token cache, when this core reports it (`metrics().caches`). */
  readonly tokenCache: { readonly hits: number; readonly misses: number } | null;
  /** sess's store calls by operation (sess contenders only). */
  readonly storeCalls: Readonly<Record<string, number>> | null;
}

const BUILDERS = { express: buildExpress, koa: buildKoa, hono: buildHono } as const;

interface SessCounters {
  caches?: { accessTokens?: { hits: number; misses: number } };
  store: Record<string, { calls: number }>;
}

function statsOf(requests: number, sess: SessionManager | undefined): ServerStats {
  const metrics = sess?.metrics() as SessCounters | undefined;
  const cache = metrics?.caches?.accessTokens;
  const cpu = process.cpuUsage();
  return {
    requests,
    cpuMicros: cpu.user + cpu.system,
    tokenCache: cache ? { hits: cache.hits, misses: cache.misses } : null,
    storeCalls: metrics
      ? Object.fromEntries(Object.entries(metrics.store).map(([op, m]) => [op, m.calls]))
      : null,
  };
}

async function control(
  request: ControlRequest,
  sess: SessionManager | undefined,
): Promise<ControlReply> {
  if (!sess) return { error: 'not a sess contender' };
  try {
    if ('revoke' in request) return { revoked: await sess.revoke(request.revoke) };
    const { session, accessToken } = await sess.create(request.create);
    return { created: { sessionId: session.id, accessToken } };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? 'failed' };
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as ServerSpec;
  if (spec.reuseFixtures) {
    sharedFixtures.credentials = JSON.parse(
      readFileSync(spec.credentialsFile, 'utf8'),
    ) as CredentialSet;
  }
  const built = await BUILDERS[spec.framework](
    spec.kind,
    spec.services,
    `${spec.framework}-${spec.kind}-${spec.mix}`,
    spec.mix,
  );
  if (!spec.reuseFixtures) writeFileSync(spec.credentialsFile, JSON.stringify(built.credentials));
  let requests = 0;
  const listener = built.listener;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.send!({ port } satisfies ServerReady);
  process.on('disconnect', () => process.exit(1)); // the parent is gone: nobody will say 'stop'
  loadClock.stop(); // until the first load
  process.on('message', async (message) => {
    if (typeof message === 'object' && message !== null) {
      process.send!(await control(message as ControlRequest, built.sess));
      return;
    }
    if (message === 'start-clock') loadClock.start();
    if (message === 'stop-clock') loadClock.stop();
    if (message === 'stats') {
      process.send!({ stats: statsOf(requests, built.sess) });
      return;
    }
    if (message !== 'stop') return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await built.close();
    process.exit(0); // flushes a --cpu-prof profile
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
