import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Services } from '../services.ts';
import type { Contender } from './contenders.ts';
import { nextMessage } from './ipc.ts';
import { type Placement, pin } from './placement.ts';
import type {
  ControlReply,
  ControlRequest,
  ServerReady,
  ServerSpec,
  ServerStats,
} from './server.ts';
import type { CredentialSet } from './setup.ts';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
/**
 * V8 flags of every server: a server here waits, idle, for minutes while the others are measured,
 * which one in production under load never does. Idle, V8 would discard the compiled code of
 * functions not run lately and shrink the heap, and the next run would pay to rebuild both on the
 * clock (its partner in a pair, just run, would not).
 */
const ALWAYS_BUSY = ['--no-flush-bytecode', '--no-memory-reducer'];
// Fixtures are made before the server listens: up to 20,000 sessions on Postgres.
const READY_TIMEOUT_MS = 180_000;

/** A contender's server process, listening. */
export interface RunningServer {
  readonly contender: Contender;
  readonly url: string;
  /** The file holding its `CredentialSet`, which the load generator reads. */
  readonly credentialsFile: string;
  credentials(): CredentialSet;
  stats(): Promise<ServerStats>;
  /** Starts and stops the server's load clock (see `loadClock`) around its runs. */
  clock(running: boolean): void;
  /** Makes or revokes a session through this process (sess contenders); one request at a time. */
  control(request: ControlRequest): Promise<ControlReply>;
  stop(): Promise<void>;
}

/**
 * Forks the server process of `contender` (with this process's loader flags, so TypeScript runs
 * as here) and waits until it has made its fixtures and listens. With `profileDir`, the server
 * runs under `--cpu-prof` (profiles in `<profileDir>/<framework>-<kind>-<mix>/`, the largest being
 * the server's main thread). With `reuseFixtures`, it serves the credentials and store data of a
 * process of the same contender started before, instead of making its own. With `placement`, the
 * server runs on its CPU once it listens (its fixtures are made on any).
 */
export async function startServer(
  contender: Contender,
  services: Services,
  profileDir: string | null,
  options: { readonly reuseFixtures?: boolean; readonly placement?: Placement | null } = {},
): Promise<RunningServer> {
  const slug = contender.id.replace(/[/:]/g, '-');
  mkdirSync(services.dataDir, { recursive: true });
  const credentialsFile = join(services.dataDir, `${slug}.credentials.json`);
  const spec: ServerSpec = {
    framework: contender.framework,
    kind: contender.kind,
    mix: contender.mix,
    services,
    credentialsFile,
    ...(options.reuseFixtures ? { reuseFixtures: true } : {}),
  };
  // One folder per contender: the TypeScript loader's thread writes a profile of its own.
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, slug)}`] : [];
  const child = fork(SERVER, [JSON.stringify(spec)], {
    execArgv: [...process.execArgv, ...ALWAYS_BUSY, ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = (await nextMessage(
    child,
    `${contender.id}'s server`,
    READY_TIMEOUT_MS,
  )) as ServerReady;
  const placement = options.placement ?? null;
  if (placement !== null) pin(child.pid!, placement.server);
  let credentials: CredentialSet | null = null;
  const ask = (message: 'stats' | ControlRequest) => {
    const reply = nextMessage(child, `${contender.id}'s server`, 10_000);
    child.send(message);
    return reply;
  };
  return {
    contender,
    url: `http://127.0.0.1:${ready.port}/me`,
    credentialsFile,
    credentials: () => {
      credentials ??= JSON.parse(readFileSync(credentialsFile, 'utf8')) as CredentialSet;
      return credentials;
    },
    stats: async () => ((await ask('stats')) as { stats: ServerStats }).stats,
    clock: (running) => {
      child.send(running ? 'start-clock' : 'stop-clock');
    },
    control: async (request) => (await ask(request)) as ControlReply,
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
