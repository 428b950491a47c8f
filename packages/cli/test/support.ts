import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

/** The built binary, as `npm i -g @sess/cli` would run it. */
export const CLI: string = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** What a run of the binary printed and how it exited. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

// The variables the CLI reads are cleared, so only what a test passes applies.
const BASE_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) =>
      !['SESS_STORE', 'REDIS_URL', 'DATABASE_URL', 'SESS_SQLITE_PATH', 'FORCE_COLOR'].includes(k),
  ),
);

/**
 * Runs `child` to its end. `input` is written at once, or, with `prompt`, once stdout shows the
 * prompt: typed ahead of it, a pseudo-terminal may see the answer before readline reads it.
 */
function collect(
  child: ReturnType<typeof spawn>,
  input: string | undefined,
  prompt?: RegExp,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let typed = prompt === undefined;
  child.stdout?.on('data', (d) => {
    stdout += d;
    if (!typed && prompt!.test(stdout)) {
      typed = true;
      child.stdin?.end(input ?? '');
    }
  });
  child.stderr?.on('data', (d) => (stderr += d));
  if (typed) child.stdin?.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
  });
}

/** Runs `sess <args>` with stdin a pipe (no terminal), as in a script or CI. */
export function sess(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...BASE_ENV, NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
  });
  return collect(child, options.input);
}

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs `sess <args>` on a pseudo-terminal (util-linux `script`), typing `input`. */
export function sessOnTerminal(args: readonly string[], input: string): Promise<Run> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: { ...BASE_ENV, NO_COLOR: '1' },
  });
  return collect(child, input, /\[y\/N\] |to confirm: /);
}

/** A temporary directory, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sess-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `text` to `name` in `dir` and returns its path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A fresh random secret (base64url of 32 bytes). */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** Asserts that none of `secrets` appears in what the run printed, nor a stack trace. */
export function expectClean(run: Run, secrets: readonly string[] = []): void {
  const printed = run.stdout + run.stderr;
  for (const secret of secrets) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/\n\s+at .+:\d+:\d+/);
}
