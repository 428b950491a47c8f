import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { Target } from './apps.ts';
import {
  CONTROL_METHODS,
  CONTROL_PATH,
  CONTROL_TOKEN_ENV,
  CONTROL_TOKEN_HEADER,
  type ControlCall,
  type ControlReply,
} from './control.ts';
import type { FixtureControl, TargetSetup } from './fixture.ts';

const ENTRY = fileURLToPath(new URL('./apps/web-bun.ts', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

/**
 * The bun binary (the `bun` devDependency), or `null` when it is missing. Without it the Bun
 * target is skipped with a loud notice, unless `SESS_REQUIRE_SERVICES=1` (CI), where this throws.
 */
export function bunBinary(): string | null {
  try {
    return createRequire(import.meta.url).resolve('bun/bin/bun.exe');
  } catch (error) {
    if (process.env.SESS_REQUIRE_SERVICES === '1') {
      throw new Error(
        'SESS_REQUIRE_SERVICES=1 but the bun binary (devDependency `bun`) is missing',
        {
          cause: error,
        },
      );
    }
    console.warn('\n!!! SKIPPING @sess/web under Bun.serve: the bun binary is missing !!!\n');
    return null;
  }
}

/** One Bun process serving the suite's `@sess/web` app, rebuilt for each case. */
export interface BunHost {
  /** Where the app listens. */
  readonly url: string;
  /**
   * Rebuilds the fixture and the app in the Bun process for `setup` (the previous target's
   * sessions, clock and limiters are gone) and returns them as a target.
   */
  target(setup: TargetSetup): Promise<Target>;
  /** What bun printed on stderr so far: a warning there is a failure, as it is in Node. */
  stderr(): string;
  /** Stops the process. */
  close(): Promise<void>;
}

/**
 * Starts src/apps/web-bun.ts under `binary`. `aliases` map `@sess/*` to their sources (the
 * vitest aliases), so that Bun runs the code under test, not a stale build.
 */
export async function startBunHost(
  binary: string,
  aliases: Readonly<Record<string, string>>,
): Promise<BunHost> {
  // Bun's runtime plugins cannot redirect a bare import yet (oven-sh/bun#40579), but Bun reads
  // `paths` from the tsconfig it is given, for every file it loads.
  const dir = mkdtempSync(join(tmpdir(), 'sess-behaviour-bun-'));
  const tsconfig = join(dir, 'tsconfig.json');
  const paths = Object.fromEntries(Object.entries(aliases).map(([name, file]) => [name, [file]]));
  writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { paths } }));
  const token = randomBytes(24).toString('base64url');
  const child = spawn(binary, ['--no-install', `--tsconfig-override=${tsconfig}`, ENTRY], {
    cwd: PACKAGE,
    env: { ...process.env, [CONTROL_TOKEN_ENV]: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bun exited with ${code}:\n${stderr}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  async function call(body: ControlCall): Promise<unknown> {
    const res = await fetch(url + CONTROL_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: token },
      body: JSON.stringify(body),
    });
    const reply = (await res.json()) as ControlReply;
    if ('error' in reply) throw new Error(`Bun target, ${body.method}: ${reply.error}`);
    return reply.result;
  }
  const control = Object.fromEntries(
    Object.keys(CONTROL_METHODS).map((method) => [
      method,
      (...args: unknown[]) => call({ method: method as keyof FixtureControl, args }),
    ]),
  ) as unknown as FixtureControl;

  return {
    url,
    async target(setup) {
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(setup)), setup)) {
        throw new TypeError('a Bun target takes plain JSON options (they cross to its process)');
      }
      await call({ method: 'reset', args: [setup] });
      // Nothing to close: the next reset replaces the app, and `close` ends the process.
      return { url, fx: control, close: async () => {} };
    },
    stderr: () => stderr,
    async close() {
      child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
