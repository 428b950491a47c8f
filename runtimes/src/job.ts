import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Strategy } from '@sess/core';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/**
 * The apps the job serves, by name: modules exporting `createApp(strategy)` that returns a
 * `{ fetch }` handler. Another binding is one more entry.
 */
export const APPS: Readonly<Record<string, string>> = {
  hono: join(ROOT, 'src', 'apps', 'hono.ts'),
  web: join(ROOT, 'src', 'apps', 'web.ts'),
};

/** Both strategies the flow runs in. */
export const STRATEGIES: readonly Strategy[] = ['jwt', 'database'];

/**
 * Bundles an app for `strategy` from the built packages, as a Worker would be: esbuild's neutral
 * platform, no main fields, no flags. The bundle's default export is `{ fetch }`.
 */
export async function bundleApp(app: string, strategy: Strategy): Promise<string> {
  const entry = `import { createApp } from ${JSON.stringify(app)};
const app = createApp(${JSON.stringify(strategy)});
export default { fetch: (request) => app.fetch(request) };`;
  const result = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts', sourcefile: 'worker.ts' },
    bundle: true,
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A served bundle. */
export interface Server {
  readonly url: string;
  /** What the runtime printed so far (stdout and stderr), where the job owns the process. */
  output?(): string;
  stop(): Promise<void>;
}

/** A runtime the job runs the apps on. */
export interface Runtime {
  readonly name: string;
  /** Where core should compute SHA-256 and HMAC there (`cryptoPath()`). */
  readonly cryptoPath: 'node:crypto' | 'web-crypto';
  /** True when the job runs the runtime as its own child process and reads all it prints. */
  readonly ownsProcess: boolean;
  /** Rejects when the runtime cannot start on this machine. */
  probe(): Promise<void>;
  /** Serves `bundle` (an ES module whose default export is `{ fetch }`) on a free local port. */
  serve(bundle: string): Promise<Server>;
}

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

function versionProbe(command: string): () => Promise<void> {
  return async () => {
    const run = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`${command} --version: ${run.stderr || run.error}`);
  };
}

// The launcher prints `listening <port>` once the server is up; the job waits for that line.
async function serveChild(
  command: string,
  args: (file: string) => string[],
  launcher: string,
  bundle: string,
): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'sess-runtime-'));
  writeFileSync(join(dir, 'worker.mjs'), bundle);
  writeFileSync(join(dir, 'main.mjs'), launcher);
  // A group of its own: npm's `deno` is a Node wrapper that spawns the real binary, which a signal
  // to the wrapper alone would leave running. `stopChild` signals the whole group.
  const child = spawn(command, args(join(dir, 'main.mjs')), {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const port = await listeningPort(child);
    return { url: `http://127.0.0.1:${port}`, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`no listening line in 30 s:\n${output}`)),
      30_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
}

/** Stops the child and everything it started (its process group), and waits for it to exit. */
function stopChild(child: ChildProcess): Promise<void> {
  const group = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {} // the group is gone already
  };
  if (child.exitCode !== null || child.signalCode !== null) {
    group(); // the wrapper may have exited and left the runtime behind
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    group();
  });
}

const bun: Runtime = {
  name: 'bun',
  cryptoPath: 'node:crypto',
  ownsProcess: true,
  probe: versionProbe(bin('bun')),
  serve: (bundle) =>
    serveChild(
      bin('bun'),
      (file) => ['run', file],
      `import worker from './worker.mjs';
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => worker.fetch(request) });
console.log('listening ' + server.port);`,
      bundle,
    ),
};

const deno: Runtime = {
  name: 'deno',
  cryptoPath: 'node:crypto',
  ownsProcess: true,
  probe: versionProbe(bin('deno')),
  serve: (bundle) =>
    serveChild(
      bin('deno'),
      (file) => ['run', '--no-config', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', file],
      `import worker from './worker.mjs';
Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log('listening ' + port) }, (request) => worker.fetch(request));`,
      bundle,
    ),
};

/** workerd through Miniflare, with or without Node compatibility. */
function workerd(nodeCompat: boolean): Runtime {
  const compatibilityFlags = nodeCompat ? ['nodejs_compat'] : [];
  return {
    name: nodeCompat ? 'workerd (nodejs_compat)' : 'workerd',
    cryptoPath: nodeCompat ? 'node:crypto' : 'web-crypto',
    ownsProcess: false,
    probe: async () => {
      const workerdBin: string = createRequire(require.resolve('miniflare'))('workerd').default;
      await versionProbe(workerdBin)();
    },
    serve: async (bundle) => {
      const { Miniflare } = await import('miniflare');
      const mf = new Miniflare({
        modules: true,
        script: bundle,
        compatibilityDate: '2025-09-01',
        compatibilityFlags,
        host: '127.0.0.1',
        port: 0,
      });
      const url = await mf.ready;
      return { url: url.origin, stop: () => mf.dispose() };
    },
  };
}

/** Every runtime the job covers. */
export const RUNTIMES: readonly Runtime[] = [bun, deno, workerd(true), workerd(false)];
