import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A redis-server of the test's own, on a loopback port that is never 6379. */
export interface RedisInstance {
  readonly port: number;
  readonly url: string;
  readonly persistent: boolean;
  /** Starts the server (again, on the same port and data folder) and waits until it answers. */
  start(): Promise<void>;
  /** `SIGKILL`: no shutdown save, like a crash. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** `SHUTDOWN` (with `NOSAVE` when not persistent), then waits for the process to end. */
  shutdown(): Promise<void>;
  /** Kills the server if it runs and deletes its data folder. Safe to call twice. */
  dispose(): Promise<void>;
}

/** A free loopback port (the kernel picks it; it is released before redis-server binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  if (port === 6379) return freePort();
  return port;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/**
 * A private redis-server: with persistence (AOF, `appendfsync always`, so every acknowledged write
 * survives a SIGKILL) or without any (`--save "" --appendonly no`: a restart forgets everything).
 * Every process it starts is also killed when the test process exits.
 */
export async function redisInstance(options: { persistent: boolean }): Promise<RedisInstance> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sess-fault-redis-'));
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
    : ['--appendonly', 'no', '--save', ''];
  let child: ChildProcess | null = null;
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const p of running) p.kill('SIGKILL');
    });
  }

  const exited = (p: ChildProcess) =>
    p.exitCode !== null || p.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => p.once('exit', () => resolve()));

  const instance: RedisInstance = {
    port,
    url: `redis://127.0.0.1:${port}`,
    persistent: options.persistent,
    async start() {
      const p = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...persistence],
        { stdio: 'ignore' },
      );
      child = p;
      running.add(p);
      p.once('exit', () => running.delete(p));
      const probe = new Redis({
        host: '127.0.0.1',
        port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => 50,
      });
      probe.on('error', () => {}); // refused until the server listens
      try {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const pong = await probe.ping().catch(() => null);
          if (pong === 'PONG') break;
          if (p.exitCode !== null) throw new Error(`redis-server on ${port} exited at start`);
          if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer`);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      } finally {
        probe.disconnect();
      }
    },
    async kill() {
      const p = child;
      if (!p) return;
      p.kill('SIGKILL');
      await exited(p);
    },
    async shutdown() {
      const p = child;
      if (!p) return;
      const admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
      admin.on('error', () => {});
      await admin.call('SHUTDOWN', options.persistent ? 'SAVE' : 'NOSAVE').catch(() => {});
      admin.disconnect();
      await exited(p);
    },
    async dispose() {
      await instance.kill();
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return instance;
}
