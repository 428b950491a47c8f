import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './support.ts';

/** A redis-server (or sentinel) this test file started, on a free loopback port. */
export interface Server {
  readonly port: number;
  readonly dir: string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Polls `check` every 50 ms until it is true, for at most `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs one command on a throwaway connection. */
export async function command(port: number, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call(String(args[0]), ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

/** Starts redis-server with `args` (a sentinel when `sentinel` is given) and waits for PONG. */
export async function startServer(
  args: readonly string[] = [],
  sentinel?: { monitor: number; name: string; quorum: number },
): Promise<Server> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sess-redis-test-'));
  let argv: string[];
  if (sentinel) {
    const file = join(dir, 'sentinel.conf');
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${sentinel.name} 127.0.0.1 ${sentinel.monitor} ${sentinel.quorum}`,
        `sentinel down-after-milliseconds ${sentinel.name} 1000`,
        `sentinel failover-timeout ${sentinel.name} 5000`,
        `sentinel parallel-syncs ${sentinel.name} 1`,
        '',
      ].join('\n'),
    );
    argv = [file, '--sentinel'];
  } else {
    argv = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args];
  }
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  await until(`redis-server on ${port}`, async () => (await command(port, 'PING')) === 'PONG');
  return {
    port,
    dir,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Makes `replica` replicate `master` and waits until the link is up. */
export async function replicate(replica: Server, master: Server): Promise<void> {
  await command(replica.port, 'REPLICAOF', '127.0.0.1', master.port);
  await until(`replica ${replica.port} in sync`, async () =>
    String(await command(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
  );
}
