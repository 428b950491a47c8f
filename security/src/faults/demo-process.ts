import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../examples/demo/src/main.ts', import.meta.url));

/** The demo as `npm start` runs it, in a process of its own. */
export interface DemoProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote on stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/**
 * Spawns `node --import tsx examples/demo/src/main.ts` with `env` (on top of this process's
 * environment, PORT=0) and waits for the URL it prints. It runs the built packages (dist), like a
 * user's app: build them first (`pnpm --filter @sess/example-demo... build`).
 */
export async function spawnDemo(env: Record<string, string>): Promise<DemoProcess> {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (url === undefined) {
    url = /at (http:\/\/localhost:\d+)/.exec(output)?.[1];
    if (url) break;
    if (child.exitCode !== null) throw new Error(`demo exited at start:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`demo did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}
