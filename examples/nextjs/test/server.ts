import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NEXT = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url));

/** `next` with these arguments in the example's folder; telemetry off. */
function next(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [NEXT, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output, for the error message when it fails. */
function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  return () => text.slice(-4000);
}

/** `next build`, every time: a stale `.next` would test yesterday's app. */
export async function build(): Promise<void> {
  const child = next(['build']);
  const log = output(child);
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`next build exited with ${code}:\n${log()}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A running `next start`. */
export interface Running {
  /** The page's origin, trusted for CSRF: `http://localhost:<port>` (Secure cookies work there). */
  readonly url: string;
  /** The same server by address, for Node's fetch (no guessing between ::1 and 127.0.0.1). */
  readonly direct: string;
  close(): Promise<void>;
}

/** `next start` on a free port of 127.0.0.1, once it answers. */
export async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const direct = `http://127.0.0.1:${port}`;
  const child = next(['start', '-p', String(port), '-H', '127.0.0.1'], {
    ...env,
    SESS_ORIGIN: url,
  });
  const log = output(child);
  const exited = once(child, 'exit');
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited:\n${log()}`);
    try {
      if ((await fetch(`${direct}/auth/csrf`)).ok) return { url, direct, close };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`next start did not answer within 30 s:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
