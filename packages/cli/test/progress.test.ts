import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters as plain } from 'node:util';
import { createSessionManager } from '@sess/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.ts';
import { type Io, Output } from '../src/output.ts';
import { withProgress } from '../src/progress.ts';
import { backends } from './backends.ts';
import { randomSecret, tempDir } from './support.ts';

const dir = tempDir();

/** A stream that records what was written; a terminal when `tty`, with what a spinner calls. */
function sink(tty: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  if (tty) {
    Object.assign(stream, {
      isTTY: true,
      columns: 80,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
    });
  }
  return { stream, text: () => chunks.join('') };
}

function io(stderrIsTty: boolean) {
  const stdout = sink(false);
  const stderr = sink(stderrIsTty);
  const value: Io = { stdout: stdout.stream, stderr: stderr.stream, stdin: new PassThrough() };
  return { io: value, stdout: stdout.text, stderr: stderr.text };
}

describe('progress on stderr for long administration commands', () => {
  let flags: string[];
  let close: () => Promise<void> | void;

  beforeEach(async () => {
    const backend = await backends.sqlite!(dir);
    const app = createSessionManager({ store: backend.store, secret: randomSecret() });
    for (let i = 0; i < 50; i++) await app.create('alice');
    app.close();
    flags = backend.flags;
    close = backend.cleanup;
  });
  afterEach(() => close());

  it('revoke-user shows its phases on a terminal, and the result stays on stdout', async () => {
    const run = io(true);
    const code = await main(['sessions', 'revoke-user', 'alice', '--yes', ...flags], run.io, {});
    expect(code).toBe(0);
    expect(run.stderr()).toContain('Listing the sessions of user alice…');
    expect(run.stderr()).toContain('Revoking 50 session(s) of user alice…');
    expect(plain(run.stdout())).toMatch(/^Revoked 50 session\(s\) of user alice/);
    expect(run.stdout()).not.toContain('Revoking');
  });

  it('cleanup shows what it is doing on a terminal', async () => {
    const run = io(true);
    expect(await main(['cleanup', '--yes', ...flags], run.io, {})).toBe(0);
    expect(run.stderr()).toContain('Deleting expired records from');
    expect(plain(run.stdout())).toMatch(/^Removed 0 expired record\(s\)/);
  });

  it.each([
    ['--json on a terminal', true, ['--json']],
    ['stderr not a terminal', false, []],
  ])('writes no progress byte with %s', async (_, tty, extra) => {
    for (const args of [
      ['sessions', 'revoke-user', 'alice', '--yes'],
      ['cleanup', '--yes'],
    ]) {
      const run = io(tty);
      expect(await main([...args, ...extra, ...flags], run.io, {})).toBe(0);
      expect(run.stderr()).toBe('');
      if (extra.includes('--json')) expect(() => JSON.parse(run.stdout())).not.toThrow();
    }
  });

  it('--json output is exactly one JSON document', async () => {
    const run = io(true);
    await main(['sessions', 'revoke-user', 'alice', '--yes', '--json', ...flags], run.io, {});
    expect(JSON.parse(run.stdout())).toEqual({ userId: 'alice', revoked: 50, kept: [] });
  });
});

describe('withProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('adds the elapsed time while the work runs, names each phase, and clears the line at the end', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const err = sink(true);
    const out = new Output(false, {
      stdout: sink(false).stream,
      stderr: err.stream,
      stdin: new PassThrough(),
    });
    let finish!: (value: number) => void;
    const running = withProgress(out, 'Working…', (progress) => {
      progress.phase('Phase two…');
      return new Promise<number>((resolve) => {
        finish = resolve;
      });
    });
    vi.advanceTimersByTime(2_000);
    expect(err.text()).toContain('Phase two… 2s');
    vi.advanceTimersByTime(60_000);
    expect(err.text()).toContain('Phase two… 1m 2s');
    finish(7);
    await expect(running).resolves.toBe(7);
    const written = err.text().length;
    vi.advanceTimersByTime(5_000);
    expect(err.text().length).toBe(written); // stopped: nothing more is drawn
  });

  it('passes a failure through and stops drawing', async () => {
    const err = sink(true);
    const out = new Output(false, {
      stdout: sink(false).stream,
      stderr: err.stream,
      stdin: new PassThrough(),
    });
    await expect(
      withProgress(out, 'Working…', () => Promise.reject(new Error('store down'))),
    ).rejects.toThrow('store down');
  });
});
