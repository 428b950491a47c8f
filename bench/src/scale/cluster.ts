// Bytes per session on a Redis Cluster: a throwaway 3-master cluster (the store package's own
// scripts/cluster.mjs, on free loopback ports), 10,000 sessions, MEMORY USAGE summed over every
// master. In Cluster a record key carries its user's hash tag and an id → tag pointer key remains.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCredential } from '@sess/core';
import { redisStore } from '@sess/store-redis';
import { Cluster } from 'ioredis';
import { benchManager } from '../fixtures.ts';
import { type RedisMemory, redisMemory } from './measure.ts';
import { IP, load, USER_AGENT } from './sessions.ts';

const SCRIPT = fileURLToPath(
  new URL('../../../packages/store-redis/scripts/cluster.mjs', import.meta.url),
);

export interface ClusterBytes {
  sessions: number;
  bytesPerSession: number;
  keysPerSession: number;
  byKind: RedisMemory['byKind'];
}

export async function clusterBytes(count: number): Promise<ClusterBytes> {
  const { dir, ports } = JSON.parse(
    execFileSync(process.execPath, [SCRIPT, 'start'], { encoding: 'utf8' }),
  ) as { dir: string; ports: number[] };
  const client = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
  try {
    const prefix = 'scale:';
    const store = redisStore({ client, prefix });
    const manager = benchManager(store, 'database');
    const issued = await manager.create('scale-template', {
      meta: { userAgent: USER_AGENT, ip: IP },
    });
    const template = (await store.get(parseCredential(issued.credential)!.id))!;
    await store.delete(template.id);
    const credentials = await load(store, template, count);
    await manager.validate(credentials[0]!); // a real session
    const memory = await redisMemory(client, prefix);
    await store.close();
    return {
      sessions: count,
      bytesPerSession: memory.bytes / count,
      keysPerSession: memory.keys / count,
      byKind: Object.fromEntries(
        Object.entries(memory.byKind).map(([k, v]) => [
          k,
          { bytes: v.bytes / count, keys: v.keys / count },
        ]),
      ),
    };
  } finally {
    client.disconnect();
    execFileSync(process.execPath, [SCRIPT, 'stop', dir], { stdio: 'ignore' });
  }
}
