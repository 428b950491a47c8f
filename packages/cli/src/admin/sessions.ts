import { deviceLabel, type Session } from '@sess/core';
import type { Command } from 'commander';
import pc from 'picocolors';
import { type CommandContext, outputOf } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';
import { table } from '../output.ts';
import { withProgress } from '../progress.ts';
import { confirm } from './confirm.ts';
import { adminManager, type StoreFlags } from './open-store.ts';
import { withStore, withStoreOptions, withYes } from './with-store.ts';

type Flags = StoreFlags & { json?: boolean; yes?: boolean };

const iso = (ms: number): string => new Date(ms).toISOString();

/** A session as the CLI shows it: public handle, times and device facts; never `data`. */
function view(s: Session) {
  return {
    id: s.id,
    userId: s.userId,
    sessionClass: s.sessionClass,
    createdAt: iso(s.createdAt),
    lastActiveAt: iso(s.lastActiveAt),
    expiresAt: iso(s.expiresAt),
    absoluteExpiresAt: iso(s.absoluteExpiresAt),
    userAgent: s.meta.userAgent ?? null,
    label: deviceLabel(s.meta.userAgent),
    ip: s.meta.ip ?? null,
  };
}

/** `sess sessions list|revoke|revoke-user`. */
export function registerSessions(program: Command, ctx: CommandContext): void {
  const sessions = program
    .command('sessions')
    .description('list and revoke the sessions in a store');

  withStoreOptions(sessions.command('list'))
    .description("list a user's live sessions, most recently active first")
    .requiredOption('--user <userId>', 'the user whose sessions to list')
    .action(async (flags: Flags & { user: string }) => {
      const out = outputOf(ctx, flags);
      const listed = await withStore(ctx, flags, (h) => adminManager(h.store).list(flags.user));
      const views = listed.map(view);
      const rows = views.map((s) => [
        s.id,
        s.sessionClass,
        s.createdAt,
        s.lastActiveAt,
        s.expiresAt,
        `${s.label ?? s.userAgent ?? '-'} ${s.ip ?? ''}`.trim(),
      ]);
      out.result(
        { userId: flags.user, sessions: views },
        views.length === 0
          ? `No live sessions for ${flags.user}.`
          : table(['ID', 'CLASS', 'CREATED', 'LAST ACTIVE', 'EXPIRES', 'DEVICE'], rows),
      );
      ctx.exit(EXIT.OK);
    });

  withYes(withStoreOptions(sessions.command('revoke')))
    .description('revoke one session (its credential, refresh token and access tokens)')
    .argument('<sessionId>', 'the public session id')
    // Ids are base64url: one in 64 starts with "-", which must read as the id, not an option.
    .allowUnknownOption()
    .action(async (sessionId: string, flags: Flags) => {
      const out = outputOf(ctx, flags);
      await withStore(ctx, flags, async ({ store, label }) => {
        const record = await store.get(sessionId);
        if (!record) {
          throw new CliError(
            'ERR_SESS_CLI_NOT_FOUND',
            `no live session ${sessionId} in ${label}; nothing was revoked`,
          );
        }
        await confirm(
          ctx.io,
          `Revoke session ${sessionId} of user ${record.userId} in ${label}?`,
          flags,
        );
        const revoked = await adminManager(store).revoke(sessionId, 'admin');
        out.result(
          { revoked, sessionId, userId: record.userId },
          `${pc.green('Revoked')} session ${sessionId} of user ${record.userId}.`,
        );
      });
      ctx.exit(EXIT.OK);
    });

  withYes(withStoreOptions(sessions.command('revoke-user')))
    .description('revoke every session of a user (log out everywhere), or all but --except')
    .argument('<userId>', 'the user')
    .allowUnknownOption()
    .option(
      '--except <sessionId>',
      'keep this session (repeatable)',
      (id: string, ids: string[]) => [...ids, id],
      [] as string[],
    )
    .action(async (userId: string, flags: Flags & { except: string[] }) => {
      const out = outputOf(ctx, flags);
      await withStore(ctx, flags, async ({ store, label }) => {
        const sess = adminManager(store);
        const listed = await withProgress(out, `Listing the sessions of user ${userId}…`, () =>
          sess.list(userId),
        );
        const live = listed.filter((s) => !flags.except.includes(s.id));
        const keeping = flags.except.length > 0 ? ` (keeping ${flags.except.join(', ')})` : '';
        await confirm(
          ctx.io,
          `Revoke ${live.length} session(s) of user ${userId}${keeping} in ${label}?`,
          flags,
        );
        const revoked = await withProgress(
          out,
          `Revoking ${live.length} session(s) of user ${userId}…`,
          () => sess.revokeAllForUser(userId, { except: flags.except }),
        );
        const tokens =
          flags.except.length === 0 ? '; access tokens issued before now are refused' : '';
        out.result(
          { userId, revoked, kept: flags.except },
          `${pc.green('Revoked')} ${revoked} session(s) of user ${userId}${keeping}${tokens}.`,
        );
      });
      ctx.exit(EXIT.OK);
    });
}
