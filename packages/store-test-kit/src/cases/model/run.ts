import { AssertionError } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSessionManager, type SessionManagerOptions, silentLogger } from '@sess/core';
import { randomId } from '../../fixtures.ts';
import type { CaseContext } from '../../types.ts';
import { deadStayDead, invariants } from './checks.ts';
import { type Command, type Strategy, USERS } from './commands.ts';
import { gatedStore } from './gated-store.ts';
import { Model } from './oracle.ts';
import type { Run } from './run-state.ts';
import {
  create,
  logoutAll,
  parallelRefresh,
  refresh,
  revoke,
  update,
  validate,
  validateToken,
  writeRace,
} from './steps.ts';

/** The manager options the model mirrors (idle 10m, absolute 30m, renewal 15m, reuse window 10s). */
function managerOptions(strategy: Strategy, model: Model): Omit<SessionManagerOptions, 'store'> {
  return {
    strategy,
    secret: randomBytes(32).toString('base64url'),
    clock: { now: () => model.now() },
    // Reuse is part of the model: the default logger's warning for each one is noise here.
    logger: silentLogger,
    sessions: {
      standard: { idleTimeout: '10m', absoluteTimeout: '30m', renewalInterval: '15m' },
    },
    refresh: { reuseWindow: '10s' },
    ...(strategy === 'jwt' && {
      jwt: {
        keys: [{ kid: 'k1', alg: 'HS256', secret: randomBytes(32).toString('base64url') }],
        issuer: 'https://issuer.sess.test',
        audience: 'https://api.sess.test',
        accessTokenTtl: '5m',
        clockSkew: '0s',
      },
    }),
  };
}

/** A fresh manager (and, for jwt, a second instance) and fresh users over the store under test. */
function startRun(ctx: CaseContext, strategy: Strategy): Run {
  const model = new Model(ctx.clock);
  const gated = gatedStore(ctx.store);
  const options = managerOptions(strategy, model);
  const sess = createSessionManager({ ...options, store: gated.store });
  const other =
    strategy === 'jwt'
      ? createSessionManager({ ...options, store: ctx.store, revocation: { staleness: 0 } })
      : null;
  const id = randomId();
  const userIds = Array.from({ length: USERS }, (_, i) => `model-${id}-u${i}`);
  return { ctx, strategy, model, sess, other, gated, userIds };
}

/** Runs one command; a command on a session before any was created does nothing. */
async function apply(run: Run, command: Command, step: number): Promise<void> {
  switch (command.kind) {
    case 'create':
      return create(run, command.user);
    case 'advance':
      return run.model.advance(command.ms);
    case 'logout-all':
      return logoutAll(run, command.user, command.except);
  }
  const s = run.model.picked(command.pick);
  if (!s) return; // nothing created yet
  switch (command.kind) {
    case 'validate':
      if (run.strategy === 'jwt') {
        return validateToken(run, s, command.back, command.mutate, command.instance);
      }
      return validate(run, s, command.back, command.mutate);
    case 'refresh':
      return refresh(run, s, command.back, command.mutate);
    case 'parallel-refresh':
      return parallelRefresh(run, s, command.racers);
    case 'revoke':
      return revoke(run, s, `revoke(${s.label})`);
    case 'write-race':
      return writeRace(run, s, command.writer, command.other);
    case 'update':
      return update(run, s, command.stale, step);
  }
}

/** Runs one command list against a fresh manager and fresh users; throws on the first divergence. */
export async function runCommands(
  ctx: CaseContext,
  commands: readonly Command[],
  strategy: Strategy,
): Promise<void> {
  const run = startRun(ctx, strategy);
  try {
    for (const [step, command] of commands.entries()) {
      try {
        await apply(run, command, step);
        await invariants(run);
      } catch (error) {
        throw new AssertionError({
          message: `step ${step} ${JSON.stringify(command)}: ${(error as Error).message}`,
        });
      }
    }
    await deadStayDead(run);
  } finally {
    await Promise.all([run.sess.close(), run.other?.close()]);
  }
}
