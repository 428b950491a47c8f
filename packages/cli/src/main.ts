import { CommanderError } from 'commander';
import { version } from '../package.json';
import { CliError, EXIT, type ExitCode, errorLabel } from './errors.ts';
import { type Io, Output } from './output.ts';
import { createProgram } from './program.ts';

/**
 * Runs `sess` with `args` (without `node` and the script) and resolves to the exit code. Every
 * failure is reported as one message (JSON with `--json`), never as a stack trace: set
 * `SESS_DEBUG=1` to see one for an unexpected error.
 */
export async function main(
  args: readonly string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let code: ExitCode = EXIT.OK;
  const exit = (c: ExitCode): void => {
    code = c;
  };
  const program = createProgram({ io, env, exit }, version);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (error) {
    // Commander has printed its own message (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const out = new Output(args.includes('--json'), io);
    if (error instanceof CliError) {
      out.fail(error);
      return error.exitCode;
    }
    if (env.SESS_DEBUG === '1') io.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    out.fail(
      new CliError(
        'ERR_SESS_CLI_INTERNAL',
        `unexpected error (${errorLabel(error)}); SESS_DEBUG=1 shows the stack`,
      ),
    );
    return EXIT.INTERNAL;
  }
}
