import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { USER } from '../fixtures.ts';
import { MIX, userOf } from '../mixes.ts';
import type { ClientReply, ClientResult, ClientSpec, ClientTarget } from './client.ts';
import { nextMessage } from './ipc.ts';
import { pin } from './placement.ts';
import type { RunningServer } from './servers.ts';

const CLIENT = fileURLToPath(new URL('./client.ts', import.meta.url));
// A run's answer comes after its duration; a warm-up's after its 10,000 or 20,000 requests.
const ANSWER_MARGIN_MS = 120_000;

/**
 * The load generator of a suite: one process, started once and reused by every run, so that the
 * runs do not each pay a process start (about 0.75 s with the TypeScript loader, several hundred
 * times in a full run). It collects its garbage before each run; one run at a time.
 */
export interface LoadClient {
  run(spec: ClientSpec): Promise<readonly ClientResult[]>;
  close(): void;
}

/** Starts a {@link LoadClient}, pinned to `cpu` (all its threads) when one is given. */
export async function startLoadClient(cpu: number | null): Promise<LoadClient> {
  const child = fork(CLIENT, [], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const who = 'the load client';
  await nextMessage(child, who, ANSWER_MARGIN_MS);
  // Pinned once it has loaded, as the servers are: the loader's thread exists by then.
  if (cpu !== null) pin(child.pid!, cpu);
  return {
    async run(spec) {
      const answer = nextMessage(child, who, spec.duration * 1000 + ANSWER_MARGIN_MS);
      child.send(spec);
      const reply = (await answer) as Exclude<ClientReply, 'ready'>;
      if ('error' in reply) throw new Error(`${who}: ${reply.error}`);
      return reply.results;
    },
    close: () => child.disconnect(),
  };
}

/** One load run against one server. */
export interface LoadResult {
  readonly reqPerSec: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Requests sent, which the next run's `start` adds up. */
  readonly sent: number;
}

/**
 * `connections` keep-alive connections of `client` send `GET /me` for `duration` seconds, each
 * request with the next credential of the contender's mix. Any error, timeout or non-2xx answer
 * fails the run: a contender that refuses one of its own valid credentials under load is broken,
 * not fast.
 */
export async function load(
  client: LoadClient,
  server: RunningServer,
  duration: number,
  connections: number,
  start: number,
): Promise<LoadResult> {
  const [result] = await drive(client, [server], connections, duration, [runOf(server, start)]);
  return result!;
}

/**
 * Two servers under load at once, from one client, `connections` connections each: their
 * runs start together and last `duration` seconds. With both servers on one CPU (as the suite
 * places them), each meets the very same machine, moment by moment, and the CPU is shared between
 * them: the ratio of what they served is the inverse ratio of what a request costs each. `starts`
 * continue each server's credential sequence, as {@link load}'s `start` does.
 */
export async function loadTogether(
  client: LoadClient,
  servers: readonly [RunningServer, RunningServer],
  duration: number,
  connections: number,
  starts: readonly [number, number],
): Promise<[LoadResult, LoadResult]> {
  const [a, b] = await drive(client, servers, connections, duration, [
    runOf(servers[0], starts[0]),
    runOf(servers[1], starts[1]),
  ]);
  return [a!, b!];
}

const runOf = (server: RunningServer, start: number): ClientTarget => ({
  url: server.url,
  credentialsFile: server.credentialsFile,
  order: MIX[server.contender.mix].order,
  start,
});

/**
 * The warm-up of a server under the 10,000-users mix: every credential once, in turn, so the runs
 * that follow meet the steady state of a server that has been up a while (each user seen, caches
 * as full as the traffic makes them) rather than the minutes after a restart. A rotation mix
 * (cold) gets a second of its own traffic: a credential it sent comes back only after the others.
 */
export async function warmUp(
  client: LoadClient,
  server: RunningServer,
  connections: number,
): Promise<LoadResult> {
  const { order, users } = MIX[server.contender.mix];
  const [result] = await drive(client, [server], connections, 1, [
    {
      ...runOf(server, 0),
      order: 'rotation',
      ...(order === 'random' ? { amount: users } : {}),
    },
  ]);
  return result!;
}

/** One run of `client`, driving `targets[k]` at `servers[k]`. */
async function drive(
  client: LoadClient,
  servers: readonly RunningServer[],
  connections: number,
  duration: number,
  targets: readonly ClientTarget[],
): Promise<LoadResult[]> {
  const results = await client.run({ connections, duration, targets });
  return results.map((result, k) => {
    const id = servers[k]!.contender.id;
    if (result.failed > 0) throw new Error(`${id}: ${result.failed} failed requests under load`);
    if (result.picked < result.total) {
      throw new Error(
        `${id}: only ${result.picked} of ${result.total} requests carried a credential of the mix`,
      );
    }
    return {
      reqPerSec: result.total / result.duration,
      p50: result.p50,
      p99: result.p99,
      sent: result.picked,
    };
  });
}

async function get(url: string, headers: Readonly<Record<string, string>>) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, body: response.ok ? (JSON.parse(text) as unknown) : text };
}

/** Credentials checked per contender before it is timed: the first, the last, and some between. */
const SAMPLES = 64;

/**
 * Proves a contender before it is measured: a sample of its credentials (the first, the last and
 * evenly spread ones between) each get 200 naming their own user, and for every contender that
 * authenticates, no credential and a forged one both get 401.
 */
export async function verify(server: RunningServer): Promise<void> {
  const { id, mix, identifies, authenticates } = server.contender;
  const { header, values, forged } = server.credentials();
  assert.equal(values.length, MIX[mix].users, `${id}: one credential per user`);
  for (let k = 0; k < SAMPLES; k++) {
    const i = Math.round((k * (values.length - 1)) / (SAMPLES - 1));
    const expected = identifies ? userOf(mix, i) : USER;
    const ok = await get(server.url, { [header]: values[i]! });
    assert.deepEqual(ok, { status: 200, body: { user: expected } }, `${id}: credential ${i}`);
  }
  if (!authenticates) return;
  for (const [what, headers] of [
    ['no credential', {}],
    ['a forged credential', { [header]: forged }],
  ] as const) {
    const { status } = await get(server.url, headers);
    assert.equal(status, 401, `${id}: ${what} must get 401`);
  }
}
