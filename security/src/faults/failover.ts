import { randomBytes } from 'node:crypto';
import { silentLogger } from '@sess/core';
import { Cluster } from 'ioredis';
import {
  clusterFailFastOptions,
  type DurabilityOptions,
  type RedisStore,
  redisStore,
} from '../../../packages/store-redis/src/index.ts';
import type { Strategy } from '../target.ts';
import { checkStoreWrites, type Violation, type WriteLosses } from './checker.ts';
import { call, type RedisCluster, type RedisSentinel, until } from './redis-topology.ts';
import { runScenario, type ScenarioResult } from './scenario.ts';
import { overrideRedisStore } from './store-override.ts';
import { STEADY_MIX } from './traffic.ts';
import { WriteStream } from './write-stream.ts';

/** The faults of issue 21. */
export type FailoverFault = 'sigkill' | 'failover' | 'failover-force';

/** What one failover trial measured. */
export interface FailoverResult {
  readonly scenario: ScenarioResult;
  /** `write-lost` violations of the write stream (acknowledged writes gone afterwards). */
  readonly streamViolations: readonly Violation[];
  readonly losses: WriteLosses;
  /** Writes the stream sent, and those answered with a failure (a 503 in an app). */
  readonly streamed: number;
  readonly rejected: number;
  /** The longest any stream write took, answered or rejected (bounded by the store timeout). */
  readonly slowestMs: number;
  /** From the fault to the promoted replica answering as master, in ms. */
  readonly promotedMs: number;
}

/** Settings every trial shares. */
export interface FailoverOptions {
  readonly strategy: Strategy;
  /** Replica acknowledgements to wait for, or null for none (Redis' asynchronous replication). */
  readonly durability: DurabilityOptions | null;
  /** Passed to the checker. */
  readonly maxLatencyMs: number;
}

// The ways into the store under test: a Cluster client per store (the demo's and the stream's), or
// the Sentinel URL; prefixes other than the demo's `sess:<ns>:` so its cleanup scans nothing.
type Open = () => { store: RedisStore; close: () => void };

function trial(
  open: Open,
  inject: () => Promise<number>,
  options: FailoverOptions,
): Promise<FailoverResult> {
  return (async () => {
    const stream = open();
    const writes = new WriteStream(stream.store);
    const closers: Array<() => void> = [stream.close];
    const remove = overrideRedisStore(() => {
      const opened = open();
      closers.push(opened.close);
      return opened.store;
    });
    let promotedMs = 0;
    try {
      const scenario = await runScenario({
        env: { SESS_STORE: 'redis' },
        strategy: options.strategy,
        traffic: { mix: STEADY_MIX, steadyUsers: 2 },
        cooldownMs: 2_500,
        check: { maxLatencyMs: options.maxLatencyMs, durable: true },
        inject: async ({ recorder }) => {
          writes.start();
          await new Promise((resolve) => setTimeout(resolve, 300));
          const start = performance.timeOrigin + performance.now();
          promotedMs = await inject();
          recorder.fault({
            name: 'failover',
            start,
            end: performance.timeOrigin + performance.now(),
          });
          await new Promise((resolve) => setTimeout(resolve, 500));
          await writes.stop();
        },
      });
      const readback = await writes.readback();
      const { violations, losses } = checkStoreWrites(writes.writes, readback);
      return {
        scenario,
        streamViolations: violations,
        losses,
        streamed: writes.writes.length,
        rejected: writes.writes.filter((w) => !w.acknowledged).length,
        slowestMs: Math.max(0, ...writes.writes.map((w) => w.end - w.start)),
        promotedMs,
      };
    } finally {
      remove();
      await writes.stop();
      for (const close of closers) close();
    }
  })();
}

const prefix = () => `fo:${randomBytes(4).toString('hex')}:`;

/**
 * One trial on a Cluster with replicas: mixed HTTP traffic through the demo and a write stream,
 * `fault` on the master of one shard, then the history checker and the write check. The cluster is
 * healthy again (every master with a synced replica) when it returns.
 */
export async function clusterTrial(
  cluster: RedisCluster,
  fault: FailoverFault,
  options: FailoverOptions,
): Promise<FailoverResult> {
  await cluster.healthy();
  const shared = prefix();
  const open: Open = () => {
    const client = new Cluster([...cluster.seeds], clusterFailFastOptions);
    client.on('error', () => {}); // reconnect errors during the fault: operations reject anyway
    const store = redisStore({
      client,
      prefix: shared,
      ...(options.durability ? { durability: options.durability } : {}),
    });
    return {
      store,
      close: () => {
        void store.close();
        client.disconnect();
      },
    };
  };
  const [shard] = await cluster.topology();
  const { master, replica } = shard ?? {};
  if (!master || !replica) throw new Error('cluster: a master without a replica');
  const promoted = async (started: number): Promise<number> => {
    await until(
      `replica ${replica.port} promoted`,
      async () => String(await call(replica.port, 'ROLE')).startsWith('master'),
      15_000,
    );
    return Date.now() - started;
  };
  const result = await trial(
    open,
    async () => {
      const started = Date.now();
      if (fault === 'sigkill') {
        await master.kill();
        const ms = await promoted(started);
        await master.start(); // comes back as a replica of the promoted node
        return ms;
      }
      await call(
        replica.port,
        'CLUSTER',
        'FAILOVER',
        ...(fault === 'failover-force' ? ['FORCE'] : []),
      );
      return promoted(started);
    },
    options,
  );
  await cluster.healthy();
  return result;
}

/** One trial on Sentinel: SIGKILL of the master, which is restarted once a replica took over. */
export async function sentinelTrial(
  group: RedisSentinel,
  replicas: number,
  options: FailoverOptions,
): Promise<FailoverResult> {
  await group.healthy(replicas);
  const shared = prefix();
  const open: Open = () => {
    const store = redisStore({
      url: group.url,
      prefix: shared,
      logger: silentLogger,
      ...(options.durability ? { durability: options.durability } : {}),
    });
    return { store, close: () => void store.close() };
  };
  const result = await trial(
    open,
    async () => {
      const master = await group.master();
      const started = Date.now();
      await master.kill();
      await until('a replica promoted', async () => (await group.master()) !== master, 20_000);
      const ms = Date.now() - started;
      await master.start(); // the Sentinels turn it into a replica of the new master
      return ms;
    },
    options,
  );
  await group.healthy(replicas);
  return result;
}
