import yoctoSpinner from 'yocto-spinner';
import type { Output } from './output.ts';
import { formatDuration } from './output.ts';

/** What a long operation tells the person watching it. */
export interface Progress {
  /** Names the phase now running (`Revoking 1200 session(s)…`); the elapsed time follows it. */
  phase(text: string): void;
}

const SILENT: Progress = Object.freeze({ phase() {} });

/**
 * Runs `work` with a spinner, its phase and the elapsed time on stderr, cleared when it ends.
 * Only for a person at a terminal: with `--json`, or when stderr is not a TTY (a pipe, a log, CI),
 * nothing at all is written, so output stays parseable and logs stay clean.
 *
 * A spinner rather than a bar: the store calls behind `cleanup` and `revoke-user` (one
 * `deleteExpired`, one `deleteByUser`) report no progress of their own, so there is no fraction
 * to show honestly; the phase and the elapsed time say that the command is working, and on what.
 */
export async function withProgress<T>(
  out: Output,
  text: string,
  work: (progress: Progress) => Promise<T>,
): Promise<T> {
  const stream = out.io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (out.json || stream.isTTY !== true) return work(SILENT);
  const started = Date.now();
  let phase = text;
  const spinner = yoctoSpinner({ stream: stream as never, text: phase }).start();
  const render = () => {
    const elapsed = Date.now() - started;
    spinner.text = elapsed < 1_000 ? phase : `${phase} ${formatDuration(elapsed)}`;
  };
  const ticker = setInterval(render, 1_000);
  ticker.unref();
  try {
    return await work({
      phase(next) {
        phase = next;
        render();
      },
    });
  } finally {
    clearInterval(ticker);
    spinner.stop();
  }
}
