import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type CommandContext, outputOf, withJson } from '../command.ts';
import { loadEnvironments } from '../config/load.ts';
import { CliError } from '../errors.ts';
import { exitCodeFor, findingsJson, formatFindings } from '../findings.ts';
import { buildPolicies, policyMarkdown } from './policy.ts';
import { runCheck } from './run.ts';

function level(value: string): 1 | 2 | 3 {
  if (value === '1' || value === '2' || value === '3') return Number(value) as 1 | 2 | 3;
  throw new CliError('ERR_SESS_CLI_USAGE', `--level must be 1, 2 or 3 (got ${value})`);
}

function policyFormat(value: string): 'md' | 'json' {
  if (value === 'md' || value === 'json') return value;
  throw new CliError('ERR_SESS_CLI_USAGE', `--policy must be md or json (got ${value})`);
}

/** `sess check <config...>`. */
export function registerCheck(program: Command, ctx: CommandContext): void {
  withJson(program.command('check'))
    .description(
      'check session configs: core validation, then findings with severity and ASVS references',
    )
    .argument(
      '<config...>',
      'config files: .json, .js, .mjs, .cjs (several files or environments are compared for reused secrets)',
    )
    .option(
      '--level <level>',
      'ASVS level the timeouts are held against: 1, 2 or 3 (default: policy.level, else 2)',
      level,
    )
    .option(
      '--policy <format>',
      'write the session policy document (ASVS 5.0 7.1.1, 7.1.2) as md or json instead of the findings',
      policyFormat,
    )
    .option(
      '-o, --output <file>',
      'with --policy: write the document to this file and print the findings',
    )
    .action(
      async (
        files: string[],
        flags: { json?: boolean; level?: 1 | 2 | 3; policy?: 'md' | 'json'; output?: string },
      ) => {
        const out = outputOf(ctx, flags);
        const { findings, contexts } = await runCheck(await loadEnvironments(files), flags.level);
        const code = exitCodeFor(findings);
        if (flags.policy) {
          const policies = buildPolicies(contexts);
          const doc =
            flags.policy === 'md'
              ? `${policyMarkdown(policies)}\n`
              : `${JSON.stringify({ policies }, null, 2)}\n`;
          if (flags.output === undefined) {
            ctx.io.stdout.write(doc);
            // The document owns stdout; say on stderr why the exit code is not 0.
            if (code !== 0)
              out.note(formatFindings(findings.filter((f) => f.severity === 'error')));
            ctx.exit(code);
            return;
          }
          await writeFile(flags.output, doc);
          out.note(`policy written to ${flags.output}`);
        }
        out.result(findingsJson(findings), formatFindings(findings));
        ctx.exit(code);
      },
    );
}
