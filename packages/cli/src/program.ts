import { Command } from 'commander';
import { registerMaintenance } from './admin/maintenance.ts';
import { registerSessions } from './admin/sessions.ts';
import { registerCheck } from './check/command.ts';
import type { CommandContext } from './command.ts';
import { registerKeys } from './keys/command.ts';
import { registerProbe } from './probe/command.ts';

/** The `sess` program with every command; errors surface as exceptions (see `main`). */
export function createProgram(ctx: CommandContext, version: string): Command {
  const program = new Command('sess')
    .description('sess: check session configs, generate keys, administer sessions, probe apps')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError();
  registerCheck(program, ctx);
  registerKeys(program, ctx);
  registerSessions(program, ctx);
  registerMaintenance(program, ctx);
  registerProbe(program, ctx);
  return program;
}
