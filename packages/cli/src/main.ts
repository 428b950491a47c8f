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
    await program.parseAsync(operandsLast(args), { from: 'user' });
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

// A session id is 22 base64url characters, and one in 64 starts with "-": commander would read
// "-yAbc…" as the short option -y followed by an id "-Abc…", or "-V…" as --version.
const DASH_ID = /^-[A-Za-z0-9_-]{21}$/;

/**
 * `args` with every operand shaped like a session id that starts with "-" moved after a `--`, so
 * commander takes it as an operand whatever its second character. The value of `--except` (a
 * session id too) stays where it is: commander reads a required option-argument as is.
 */
function operandsLast(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  const head = end === -1 ? [...args] : args.slice(0, end);
  const tail = end === -1 ? [] : args.slice(end + 1);
  const isOperand = (a: string, i: number) => DASH_ID.test(a) && head[i - 1] !== '--except';
  const moved = head.filter(isOperand);
  if (moved.length === 0) return [...args];
  return [...head.filter((a, i) => !isOperand(a, i)), '--', ...moved, ...tail];
}
