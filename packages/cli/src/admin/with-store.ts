import { GLOBAL_SCOPE, isSessError } from '@sess/core';
import type { Command } from 'commander';
import { type CommandContext, withJson } from '../command.ts';
import { CliError } from '../errors.ts';
import {
  openStore,
  type StoreFlags,
  type StoreHandle,
  storeUrl,
  unreachable,
} from './open-store.ts';

/** Adds the store options (and `--json`) to an administration command. */
export function withStoreOptions(command: Command): Command {
  return withJson(command)
    .option(
      '--store <url>',
      'redis://…, rediss://…, redis+sentinel://…, postgres://… or file:PATH (else SESS_STORE: a URL, or redis, postgres or sqlite with REDIS_URL, DATABASE_URL or SESS_SQLITE_PATH)',
    )
    .option('--prefix <prefix>', 'Redis key prefix, as given to redisStore (default "sess:")')
    .option('--schema <schema>', 'Postgres schema, as given to postgresStore (default "public")')
    .option('--table <table>', 'Postgres or SQLite sessions table (default "sess_sessions")');
}

/** Adds `--yes` to a command that changes something. */
export function withYes(command: Command): Command {
  return command.option('-y, --yes', 'do not ask for confirmation');
}

/**
 * Opens the store, checks it answers (before any question is asked), runs `fn` and closes it.
 * A failure of the store (never of the command's own logic) becomes exit 3.
 */
export async function withStore<T>(
  ctx: CommandContext,
  flags: StoreFlags,
  fn: (handle: StoreHandle) => Promise<T>,
): Promise<T> {
  const handle = await openStore(storeUrl(flags.store, ctx.env), flags);
  try {
    await handle.store.getNotBefore(GLOBAL_SCOPE);
    return await fn(handle);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isSessError(error) && error.code !== 'ERR_SESS_STORE') throw error;
    throw unreachable(handle.label, error, handle.problems);
  } finally {
    await handle.close().catch(() => {}); // a store that never connected may fail to say goodbye
  }
}
