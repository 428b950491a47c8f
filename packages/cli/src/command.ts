import type { Command } from 'commander';
import type { ExitCode } from './errors.ts';
import { type Io, Output } from './output.ts';

/** What every command receives besides its arguments. */
export interface CommandContext {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  /** Records the exit code of the command that ran. */
  exit(code: ExitCode): void;
}

/** Adds `--json` to a command. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print machine-readable JSON on stdout');
}

/** The command's {@link Output}, from its `--json` flag. */
export function outputOf(ctx: CommandContext, options: { json?: boolean }): Output {
  return new Output(options.json === true, ctx.io);
}
