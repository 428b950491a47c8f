import assert from 'node:assert/strict';
import type { Issued, Validated } from '@sess/core';
import { sha256 } from '../../fixtures.ts';
import { USERS } from './commands.ts';
import {
  ABSOLUTE_MS,
  ACCESS_TTL_MS,
  attempt,
  EXPIRED,
  type ModelSession,
  REVOKED,
  UNAUTHORIZED,
} from './oracle.ts';
import type { Run } from './run-state.ts';

/** Records (jwt) the access token an issue returned, checking its claims against the model. */
export function recordToken(
  run: Run,
  s: ModelSession,
  accessToken: string | null,
  what: string,
): void {
  if (run.strategy !== 'jwt') return;
  const now = run.model.now();
  assert.ok(accessToken, `${what}: the jwt strategy issues an access token`);
  const claims = JSON.parse(
    Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as { sub: unknown; sid: unknown; iat: number; exp: number };
  const iat = Math.floor(now / 1000);
  const lifetimeMs = Math.min(ACCESS_TTL_MS, s.createdAt + ABSOLUTE_MS - now);
  assert.equal(claims.sid, s.id, `${what}: the token's sid`);
  assert.equal(claims.sub, run.userIds[s.user], `${what}: the token's sub`);
  assert.equal(claims.iat, iat, `${what}: the token's iat`);
  assert.equal(
    claims.exp,
    iat + Math.floor(lifetimeMs / 1000),
    `${what}: the token's exp (never past the absolute timeout)`,
  );
  s.tokens.push({ token: accessToken, iat: claims.iat, exp: claims.exp });
}

/** The session a call returned is the model's, with the expiry its timeouts allow. */
export function checkSession(
  run: Run,
  s: ModelSession,
  session: { id: string; userId: string; expiresAt: number } | null | undefined,
  what: string,
): void {
  assert.ok(session, `${what}: returns the session`);
  assert.equal(session.id, s.id, `${what}: the session id`);
  assert.equal(session.userId, run.userIds[s.user], `${what}: the session's user`);
  assert.equal(
    session.expiresAt,
    run.model.expiresAt(s),
    `${what}: expiresAt follows the timeouts`,
  );
}

/** The invariants, checked against the store and the manager after every step. */
export async function invariants({ ctx, model, sess, userIds }: Run): Promise<void> {
  for (const s of model.sessions) {
    const record = await ctx.store.get(s.id);
    if (s.revoked) {
      assert.equal(record, null, `${s.label} was revoked: the store must not return it`);
    } else if (model.expired(s)) {
      if (ctx.clock)
        assert.equal(record, null, `${s.label} has expired: the store must not return it`);
    } else {
      assert.ok(record, `${s.label} is neither revoked nor expired: the store must hold it`);
      assert.equal(
        record.secretHash,
        sha256(s.secrets.at(-1)!),
        `${s.label}: the stored head is the last secret issued (one live head)`,
      );
      if (s.secrets.length > 1) {
        assert.equal(record.prevSecretHash, sha256(s.secrets.at(-2)!), `${s.label}: previous`);
      }
      assert.equal(record.lastActiveAt, s.lastActiveAt, `${s.label}: lastActiveAt`);
      assert.equal(record.expiresAt, model.expiresAt(s), `${s.label}: expiresAt`);
      assert.ok(
        record.expiresAt <= record.createdAt + ABSOLUTE_MS,
        `${s.label}: never past the absolute timeout`,
      );
    }
  }
  for (let user = 0; user < USERS; user++) {
    const listed = (await sess.list(userIds[user]!)).map((x) => x.id).sort();
    const expected = model.sessions
      .filter((s) => s.user === user && model.live(s))
      .map((s) => s.id)
      .sort();
    assert.deepEqual(listed, expected, `u${user}: the live sessions listed`);
  }
}

/** Revoked sessions never validate again: every credential any dead session ever had is refused. */
export async function deadStayDead({ model, sess, other }: Run): Promise<void> {
  for (const s of model.sessions) {
    if (model.live(s)) continue;
    for (const secret of s.secrets.slice(-4)) {
      const credential = `${s.id}.${secret}`;
      const calls = [() => sess.validate(credential), () => sess.refresh(credential)];
      for (const call of calls) {
        const outcome = await attempt<Issued | Validated>(call());
        assert.ok(
          !outcome.ok && UNAUTHORIZED.includes(outcome.code),
          `after the run, ${s.label} (dead) must refuse each of its credentials, got ${outcome.ok ? 'success' : outcome.code}`,
        );
      }
    }
    // jwt: and each of its access tokens, on both instances.
    for (const { token } of s.tokens) {
      for (const instance of [sess, other!]) {
        const outcome = await attempt(instance.validate(token));
        assert.ok(
          !outcome.ok && (outcome.code === REVOKED || outcome.code === EXPIRED),
          `after the run, ${s.label} (dead) must refuse each of its access tokens, got ${outcome.ok ? 'success' : outcome.code}`,
        );
      }
    }
  }
}
