import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const main = new URL('../src/main.ts', import.meta.url).pathname;

// The demo as `npm start` runs it: a real process on the SQLite default, stopped by a signal.
describe.each(['SIGINT', 'SIGTERM'] as const)('npm start, then %s', (signal) => {
  it('prints the URL, serves the page, and closes the server and the store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sess-demo-main-'));
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, PORT: '0', SESS_DATA_DIR: dataDir, SESS_FRAMEWORK: 'express' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => output, { timeout: 20_000 }).toMatch(/at http:\/\/localhost:\d+/);
    const url = /at (http:\/\/localhost:\d+)/.exec(output)![1]!;
    expect(output).toContain('sess demo (express, sqlite, database strategy)');
    expect((await fetch(url)).status).toBe(200);
    expect(existsSync(join(dataDir, 'sess.db-wal'))).toBe(true);

    child.kill(signal);
    expect(await exited).toBe(0);
    expect(output).toContain(`${signal}: closing the server and the store`);
    // better-sqlite3 checkpoints and removes the WAL file when the last connection closes.
    expect(existsSync(join(dataDir, 'sess.db-wal'))).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
