import { AssertionError } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CaseContext } from '../../types.ts';
import { type Command, generate, type Strategy } from './commands.ts';
import { runCommands } from './run.ts';

const DEFAULT_RUNS = 50;
const MIN_RUNS = 10;
const SHRINK_BUDGET = 80;
// Work bounds, not assertions: a slow backend runs fewer (at least MIN_RUNS) runs and shrinks less,
// so the case ends well inside a default 5 s test timeout with its report instead of timing out.
const RUN_BUDGET_MS = 2_000;
const SHRINK_BUDGET_MS = 1_000;

async function failureOf(
  ctx: CaseContext,
  commands: readonly Command[],
  strategy: Strategy,
): Promise<Error | null> {
  try {
    await runCommands(ctx, commands, strategy);
    return null;
  } catch (error) {
    return error as Error;
  }
}

/** Removes commands while the run still fails (chunks, then single commands), within a budget. */
async function shrink(
  ctx: CaseContext,
  commands: readonly Command[],
  failure: Error,
  strategy: Strategy,
): Promise<{ commands: readonly Command[]; failure: Error }> {
  let best = commands;
  let bestFailure = failure;
  let budget = SHRINK_BUDGET;
  const deadline = performance.now() + SHRINK_BUDGET_MS;
  for (
    let size = Math.max(1, Math.floor(best.length / 2));
    size >= 1;
    size = Math.floor(size / 2)
  ) {
    for (let i = 0; i < best.length && budget > 0 && performance.now() < deadline; ) {
      budget--;
      const candidate = [...best.slice(0, i), ...best.slice(i + size)];
      const found = await failureOf(ctx, candidate, strategy);
      if (found) {
        best = candidate;
        bestFailure = found;
      } else {
        i += size;
      }
    }
    if (size === 1 || budget === 0 || performance.now() >= deadline) break;
  }
  return { commands: best, failure: bestFailure };
}

function envNumber(name: string): number | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** Runs random command lists until one fails (then shrinks and reports it) or the budget ends. */
export async function explore(ctx: CaseContext, id: string, strategy: Strategy): Promise<void> {
  // SESS_KIT_MODEL_SEED (and SESS_KIT_MODEL_RUNS=1) replay a reported failure.
  const seed = envNumber('SESS_KIT_MODEL_SEED') ?? randomBytes(4).readUInt32LE(0);
  const fixedRuns = envNumber('SESS_KIT_MODEL_RUNS');
  const runs = fixedRuns ?? DEFAULT_RUNS;
  const deadline = performance.now() + RUN_BUDGET_MS;
  for (let run = 0; run < runs; run++) {
    if (fixedRuns === undefined && run >= MIN_RUNS && performance.now() > deadline) break;
    const runSeed = (seed + run) >>> 0;
    const commands = generate(runSeed, strategy);
    const failure = await failureOf(ctx, commands, strategy);
    if (!failure) continue;
    const shrunk = await shrink(ctx, commands, failure, strategy);
    throw new AssertionError({
      message: [
        `${id} failed on run ${run} (replay: SESS_KIT_MODEL_SEED=${runSeed} SESS_KIT_MODEL_RUNS=1)`,
        shrunk.failure.message,
        `commands (${shrunk.commands.length} of ${commands.length} after shrinking):`,
        ...shrunk.commands.map((c, i) => `  ${i}: ${JSON.stringify(c)}`),
      ].join('\n'),
    });
  }
}
