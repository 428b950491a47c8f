import { createInterface } from 'node:readline/promises';
import { CliError } from '../errors.ts';
import type { Io } from '../output.ts';

/**
 * Asks before a change. `--yes` skips the question; without a terminal on stdin (a script, CI)
 * and without `--yes`, it refuses rather than guess. `word`, when given, must be typed in full
 * (for `revoke-everything`); otherwise `y` or `yes` confirms.
 *
 * @throws CliError `ERR_SESS_CLI_NOT_CONFIRMED` (exit 4) when not confirmed; nothing was changed.
 */
export async function confirm(
  io: Io,
  question: string,
  options: { yes?: boolean; word?: string },
): Promise<void> {
  if (options.yes === true) return;
  if (io.stdin.isTTY !== true) {
    throw new CliError(
      'ERR_SESS_CLI_NOT_CONFIRMED',
      `${question} Refusing without a terminal to confirm on; pass --yes. Nothing was changed.`,
    );
  }
  const prompt = options.word
    ? `${question} Type "${options.word}" to confirm: `
    : `${question} [y/N] `;
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = (await rl.question(prompt)).trim();
    const ok = options.word ? answer === options.word : /^y(es)?$/i.test(answer);
    if (!ok)
      throw new CliError('ERR_SESS_CLI_NOT_CONFIRMED', 'Not confirmed. Nothing was changed.');
  } finally {
    rl.close();
  }
}
