import { GLOBAL_SCOPE, parseDuration } from '@sess/core';
import type { Command } from 'commander';
import pc from 'picocolors';
import { type CommandContext, outputOf } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';
import { formatDuration, table } from '../output.ts';
import { withProgress } from '../progress.ts';
import { confirm } from './confirm.ts';
import { adminManager, type StoreFlags } from './open-store.ts';
import { withStore, withStoreOptions, withYes } from './with-store.ts';

type Flags = StoreFlags & { json?: boolean; yes?: boolean };

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('ERR_SESS_CLI_USAGE', `not a whole number: ${value}`);
  return n;
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null)
    throw new CliError('ERR_SESS_CLI_USAGE', `not a duration (such as 1h, 30m): ${value}`);
  return ms;
}

/** `sess revoke-everything`, `sess cleanup` and `sess stats`. */
export function registerMaintenance(program: Command, ctx: CommandContext): void {
  withYes(withStoreOptions(program.command('revoke-everything')))
    .description(
      'incident response: every session and access token issued before now stops working',
    )
    .action(async (flags: Flags) => {
      const out = outputOf(ctx, flags);
      await withStore(ctx, flags, async ({ store, label }) => {
        await confirm(ctx.io, `Revoke EVERY session of every user in ${label}?`, {
          ...flags,
          word: 'everything',
        });
        await adminManager(store).revokeEverything();
        const at = await store.getNotBefore(GLOBAL_SCOPE);
        const when = new Date(at).toISOString();
        out.result(
          { revokedBefore: when },
          `${pc.green('Revoked')} every session and access token issued up to ${when} in ${label}.`,
        );
      });
      ctx.exit(EXIT.OK);
    });

  withYes(withStoreOptions(program.command('cleanup')))
    .description('delete expired records (for stores without native expiry: SQLite, Postgres)')
    .action(async (flags: Flags) => {
      const out = outputOf(ctx, flags);
      await withStore(ctx, flags, async ({ store, label }) => {
        if (!store.deleteExpired) {
          out.result(
            { removed: 0, nativeExpiry: true },
            `${label} expires records by itself; nothing to clean.`,
          );
          return;
        }
        await confirm(
          ctx.io,
          `Delete expired sessions and deny-list entries from ${label}?`,
          flags,
        );
        const removed = await withProgress(out, `Deleting expired records from ${label}…`, () =>
          adminManager(store).cleanup(),
        );
        out.result(
          { removed, nativeExpiry: false },
          `${pc.green('Removed')} ${removed} expired record(s) from ${label}.`,
        );
      });
      ctx.exit(EXIT.OK);
    });

  withStoreOptions(program.command('stats'))
    .description('count live sessions, their users, and those expiring soon')
    .option('--expiring-within <duration>', 'what counts as expiring soon', duration, 3_600_000)
    .option('--top <n>', 'how many users with the most sessions to list', positiveInt, 10)
    .action(async (flags: Flags & { expiringWithin: number; top: number }) => {
      const out = outputOf(ctx, flags);
      await withStore(ctx, flags, async ({ store, label }) => {
        if (!store.stats) {
          throw new CliError(
            'ERR_SESS_CLI_UNSUPPORTED',
            `the ${store.name} store has no stats(); upgrade it, or see docs/custom-store.md`,
          );
        }
        const now = Date.now();
        const stats = await store.stats(now, {
          expiringBefore: now + flags.expiringWithin,
          topUsers: flags.top,
        });
        const watermark = await store.getNotBefore(GLOBAL_SCOPE);
        const revokedBefore = watermark > 0 ? new Date(watermark).toISOString() : null;
        const within = formatDuration(flags.expiringWithin);
        const lines = [
          `${pc.bold('Store')}            ${label}`,
          `${pc.bold('Active sessions')}  ${stats.sessions} (${stats.users} user(s))`,
          `${pc.bold(`Expiring in ${within}`.padEnd(16))} ${stats.expiringSoon}`,
        ];
        if (stats.topUsers.length > 0) {
          lines.push(
            '',
            table(
              ['USER', 'SESSIONS'],
              stats.topUsers.map((u) => [u.userId, String(u.sessions)]),
            ),
          );
        }
        if (revokedBefore) {
          lines.push(
            '',
            pc.yellow(
              `revoke-everything at ${revokedBefore}: sessions created before it are refused, but counted until they expire`,
            ),
          );
        }
        out.result(
          {
            at: new Date(now).toISOString(),
            ...stats,
            expiringWithinMs: flags.expiringWithin,
            revokedBefore,
          },
          lines.join('\n'),
        );
      });
      ctx.exit(EXIT.OK);
    });
}
