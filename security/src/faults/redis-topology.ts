import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis-instance.ts';

const HOST = '127.0.0.1';

/** One redis-server (or sentinel) process of a topology, restartable on its port and folder. */
export interface Node {
  readonly port: number;
  /** Starts it (again) and waits for PONG. */
  start(): Promise<void>;
  /** SIGKILL, like a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  readonly running: boolean;
}

const children = new Set<ChildProcess>();
let exitHook = false;

/**
 * Deletes a topology's folder. A SIGKILLed server's AOF-rewrite child (a fork, not ours to kill)
 * may write its temporary file there for a moment longer: retried for up to 10 s, then left.
 */
async function removeDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if (attempt >= 40) {
        console.warn(`redis-topology: could not remove ${dir}: ${(error as Error).message}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Polls `check` until it is true, for at most `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One command on a throwaway connection (bounded: 2 s). */
export async function call(port: number, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    commandTimeout: 2_000,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call(String(args[0]), ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

function node(port: number, dir: string, argv: () => string[]): Node {
  let child: ChildProcess | null = null;
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
  return {
    port,
    get running() {
      return alive();
    },
    async start() {
      const p = spawn('redis-server', argv(), { stdio: 'ignore', cwd: dir });
      child = p;
      children.add(p);
      p.once('exit', () => children.delete(p));
      await until(`redis on ${port}`, async () => (await call(port, 'PING')) === 'PONG', 10_000);
    },
    async kill() {
      const p = child;
      if (!p || !alive()) return;
      const gone = new Promise<void>((resolve) => p.once('exit', () => resolve()));
      p.kill('SIGKILL');
      await gone;
    },
  };
}

const serverArgs = (port: number, dir: string, extra: string[]) => [
  '--port',
  String(port),
  '--bind',
  HOST,
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'yes',
  '--appendfsync',
  'everysec',
  ...extra,
];

/** A Redis Cluster of `masters` masters with one replica each, AOF on. */
export interface RedisCluster {
  readonly nodes: readonly Node[];
  /** The startup nodes for an ioredis Cluster. */
  readonly seeds: ReadonlyArray<{ host: string; port: number }>;
  /** The running nodes that are masters now, and the replica of each (from CLUSTER NODES). */
  topology(): Promise<Array<{ master: Node; replica: Node | undefined }>>;
  /** Waits for cluster_state:ok on every running node and a synced replica per master. */
  healthy(ms?: number): Promise<void>;
  /** Stops every node and deletes the data. */
  dispose(): Promise<void>;
}

/**
 * Starts a Redis Cluster on free loopback ports: `masters` masters and one replica each, AOF
 * (`appendfsync everysec`), `cluster-node-timeout` as given. Bounded: throws after 40 s.
 */
export async function redisCluster(
  options: { masters?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'sess-fault-cluster-'));
  const ports: number[] = [];
  while (ports.length < masters * 2) {
    const port = await freePort();
    // The cluster bus listens on port + 10000.
    if (port + 10_000 < 65_536 && !ports.includes(port)) ports.push(port);
  }
  const nodes = ports.map((port) =>
    node(port, dir, () =>
      serverArgs(port, dir, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        String(options.nodeTimeoutMs ?? 2_000),
        '--appendfilename',
        `aof-${port}.aof`,
        '--appenddirname',
        `aof-${port}`,
      ]),
    ),
  );
  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const cluster: RedisCluster = {
    nodes,
    seeds: ports.map((port) => ({ host: HOST, port })),
    async topology() {
      const alive = nodes.find((n) => n.running)!;
      const text = String(await call(alive.port, 'CLUSTER', 'NODES'));
      const rows = text
        .trim()
        .split('\n')
        .map((line) => line.split(' '));
      const portOf = (row: string[]) => Number(/:(\d+)@/.exec(row[1]!)?.[1]);
      const healthy = (row: string[]) => !/fail|handshake|noaddr/.test(row[2]!);
      const result: Array<{ master: Node; replica: Node | undefined }> = [];
      for (const row of rows) {
        if (!row[2]!.includes('master') || !healthy(row) || row.length < 9) continue;
        const replica = rows.find((r) => r[3] === row[0] && healthy(r));
        result.push({
          master: byPort.get(portOf(row))!,
          replica: replica && byPort.get(portOf(replica)),
        });
      }
      return result;
    },
    async healthy(ms = 30_000) {
      await until(
        'cluster healthy',
        async () => {
          for (const n of nodes.filter((x) => x.running)) {
            const info = String(await call(n.port, 'CLUSTER', 'INFO'));
            if (!info.includes('cluster_state:ok')) return false;
          }
          const shards = await cluster.topology();
          if (shards.length !== masters) return false;
          for (const { replica } of shards) {
            if (!replica) return false;
            const info = String(await call(replica.port, 'INFO', 'replication'));
            if (!info.includes('master_link_status:up')) return false;
          }
          return true;
        },
        ms,
      );
    },
    async dispose() {
      await Promise.all(nodes.map((n) => n.kill()));
      await removeDir(dir);
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await promisify(execFile)(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    await cluster.healthy(40_000);
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return cluster;
}

/** A master, its replicas and Sentinels watching them. */
export interface RedisSentinel {
  readonly name: string;
  /** `redis+sentinel://...` for redisStore. */
  readonly url: string;
  readonly servers: readonly Node[];
  readonly sentinels: readonly Node[];
  /** The server that is master now, as the Sentinels say. */
  master(): Promise<Node>;
  /** Waits until the Sentinels agree on a running master with `replicas` synced replicas. */
  healthy(replicas: number, ms?: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A master with `replicas` replicas (AOF on) and `sentinels` Sentinels (quorum: a majority,
 * `down-after-milliseconds 1000`, `failover-timeout 5000`), on free loopback ports.
 */
export async function redisSentinel(
  options: { replicas?: number; sentinels?: number } = {},
): Promise<RedisSentinel> {
  const name = 'sessmaster';
  const dir = mkdtempSync(join(tmpdir(), 'sess-fault-sentinel-'));
  const count = 1 + (options.replicas ?? 2);
  const serverPorts = await Promise.all(Array.from({ length: count }, () => freePort()));
  const servers = serverPorts.map((port, i) =>
    node(port, dir, () =>
      serverArgs(port, dir, [
        '--appendfilename',
        `aof-${port}.aof`,
        '--appenddirname',
        `aof-${port}`,
        ...(i === 0 ? [] : ['--replicaof', HOST, String(serverPorts[0])]),
      ]),
    ),
  );
  const sentinelPorts = await Promise.all(
    Array.from({ length: options.sentinels ?? 3 }, () => freePort()),
  );
  const quorum = Math.floor(sentinelPorts.length / 2) + 1;
  const sentinels = sentinelPorts.map((port) => {
    const file = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${dir}`,
        `sentinel monitor ${name} ${HOST} ${serverPorts[0]} ${quorum}`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    return node(port, dir, () => [file, '--sentinel']);
  });
  const byPort = new Map(servers.map((s) => [s.port, s]));
  const topology: RedisSentinel = {
    name,
    url: `redis+sentinel://${sentinelPorts.map((p) => `${HOST}:${p}`).join(',')}/${name}`,
    servers,
    sentinels,
    async master() {
      const [, port] = (await call(
        sentinelPorts[0]!,
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        name,
      )) as [string, string];
      return byPort.get(Number(port))!;
    },
    async healthy(replicas, ms = 30_000) {
      await until(
        'sentinel group healthy',
        async () => {
          const masters = new Set<number>();
          for (const s of sentinels) {
            const info = (await call(s.port, 'SENTINEL', 'MASTER', name)) as string[];
            const field = (f: string) => info[info.indexOf(f) + 1]!;
            if (Number(field('num-other-sentinels')) < sentinels.length - 1) return false;
            if (/down|failover/.test(field('flags'))) return false;
            masters.add(Number(field('port')));
          }
          if (masters.size !== 1) return false;
          const master = byPort.get([...masters][0]!)!;
          if (!master.running) return false;
          const info = String(await call(master.port, 'INFO', 'replication'));
          if (!info.includes('role:master')) return false;
          const online = info.match(/^slave\d+:.*state=online/gm) ?? [];
          return online.length >= replicas;
        },
        ms,
      );
    },
    async dispose() {
      await Promise.all([...sentinels, ...servers].map((n) => n.kill()));
      await removeDir(dir);
    },
  };
  try {
    await servers[0]!.start();
    await Promise.all(servers.slice(1).map((s) => s.start()));
    await Promise.all(sentinels.map((s) => s.start()));
    await topology.healthy(count - 1, 30_000);
  } catch (error) {
    await topology.dispose();
    throw error;
  }
  return topology;
}
