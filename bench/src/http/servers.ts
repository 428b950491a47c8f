import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from '../services.ts';
import type { Contender } from './contenders.ts';
import type { ServerReady, ServerSpec } from './server.ts';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/** A contender's server process, listening. */
export interface RunningServer extends ServerReady {
  readonly contender: Contender;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Forks the server process of `contender` (with this process's loader flags, so TypeScript runs
 * as here) and waits until it listens. With `profileDir`, the server runs under `--cpu-prof`
 * (profiles in `<profileDir>/<framework>-<kind>/`, the largest being the server's main thread).
 */
export async function startServer(
  contender: Contender,
  services: Services,
  profileDir: string | null,
): Promise<RunningServer> {
  const spec: ServerSpec = { framework: contender.framework, kind: contender.kind, services };
  // One folder per contender: the TypeScript loader's thread writes a profile of its own.
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, contender.id.replace('/', '-'))}`]
    : [];
  const child = fork(SERVER, [JSON.stringify(spec)], {
    execArgv: [...process.execArgv, ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await firstMessage(child, contender.id);
  return {
    ...ready,
    contender,
    url: `http://127.0.0.1:${ready.port}/me`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send('stop');
      await Promise.race([exited, timeout(10_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function firstMessage(child: ChildProcess, id: string): Promise<ServerReady> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${id}: the server did not start within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as ServerReady);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${id}: the server exited with code ${code} before listening`));
    });
  });
}
