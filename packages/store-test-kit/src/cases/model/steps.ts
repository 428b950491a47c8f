import assert from 'node:assert/strict';
import type { Issued, Validated } from '@sess/core';
import { checkSession, recordToken } from './checks.ts';
import {
  attempt,
  CONFLICT,
  check,
  EXPIRED,
  INVALID,
  type ModelSession,
  NOT_FOUND,
  type Outcome,
  type Prediction,
  RENEWAL_MS,
  REUSED,
  REVOKED,
  TOUCH_MS,
  UNAUTHORIZED,
} from './oracle.ts';
import type { Run } from './run-state.ts';

/** Changes one character of the secret (never the last one, whose spare bits could hide it). */
function mutated(credential: string, secretStart: number): string {
  const at = secretStart + ((credential.charCodeAt(secretStart + 1) * 31) % 40);
  const char = credential[at] === 'A' ? 'B' : 'A';
  return `${credential.slice(0, at)}${char}${credential.slice(at + 1)}`;
}

export async function create(run: Run, user: number): Promise<void> {
  const { model } = run;
  const issued = await attempt(run.sess.create(run.userIds[user]!));
  assert.ok(issued.ok, 'create succeeds');
  const { credential, session } = issued.value;
  const created: ModelSession = {
    label: `s${model.sessions.length}`,
    id: session.id,
    user,
    createdAt: model.now(),
    lastActiveAt: model.now(),
    rotatedAt: null,
    secrets: [credential.slice(session.id.length + 1)],
    tokens: [],
    revoked: false,
  };
  assert.ok(credential.startsWith(`${session.id}.`), 'the credential is <id>.<secret>');
  checkSession(run, created, session, 'create');
  recordToken(run, created, issued.value.accessToken, 'create');
  model.sessions.push(created);
}

/** jwt: an access token is refused once its session is revoked, on every instance. */
export async function validateToken(
  run: Run,
  s: ModelSession,
  back: number,
  mutate: boolean,
  instance: 'same' | 'other',
): Promise<void> {
  const { model } = run;
  const t = s.tokens[s.tokens.length - 1 - Math.min(back, s.tokens.length - 1)]!;
  const what = `validate(${s.label} access token, back ${back}${mutate ? ', mutated' : ''}, ${instance} instance)`;
  const token = mutate ? mutated(t.token, t.token.lastIndexOf('.') + 1) : t.token;
  const outcome = await attempt((instance === 'same' ? run.sess : run.other!).validate(token));
  if (mutate) return void check(outcome, { ok: false, codes: [INVALID] }, what);
  if (model.now() >= t.exp * 1000)
    return void check(outcome, { ok: false, codes: [EXPIRED] }, what);
  if (s.revoked || t.iat * 1000 <= model.watermarks[s.user]!) {
    return void check(outcome, { ok: false, codes: [REVOKED] }, what);
  }
  const result = check(outcome, { ok: true }, what)!;
  assert.equal(result.sessionId, s.id, `${what}: the session id`);
  assert.equal(result.userId, run.userIds[s.user], `${what}: the user`);
}

/**
 * The refusals validate and refresh share, in the manager's order: a dead session, an unknown or
 * mutated credential, (validate only) a watermark, a replayed credential (which revokes the
 * session). Returns how the credential matched when the call must succeed, else `null` once the
 * refusal is checked.
 */
function refusal<T>(
  run: Run,
  s: ModelSession,
  call: { kind: 'validate' | 'refresh'; back: number; mutate: boolean; what: string },
  outcome: Outcome<T>,
): 'current' | 'previous' | null {
  const { model } = run;
  const { kind, what } = call;
  const refused = (predicted: Prediction): null => {
    check(outcome, predicted, what);
    return null;
  };
  const dead = model.deadPrediction(s, kind === 'refresh');
  if (dead) return refused(dead);
  const match = call.mutate ? 'none' : model.classify(s, call.back);
  if (match === 'none') return refused({ ok: false, codes: [INVALID] });
  if (kind === 'validate' && model.behindWatermark(s)) {
    return refused({ ok: false, codes: [REVOKED] });
  }
  if (match === 'retired' || (match === 'previous' && !model.inWindow(s))) {
    refused({ ok: false, codes: [REUSED] });
    s.revoked = true; // reuse detected: the whole session is revoked
    return null;
  }
  return match;
}

/**
 * Presents the credential `back` steps behind the current one (mutated when asked) to `kind`, and
 * checks every refusal and a retry's successor. Returns the call's result when the step goes on.
 */
async function present(
  run: Run,
  s: ModelSession,
  kind: 'validate' | 'refresh',
  back: number,
  mutate: boolean,
): Promise<{ what: string; match: 'current' | 'previous'; value: Issued | Validated } | null> {
  const what = `${kind}(${s.label}, back ${back}${mutate ? ', mutated' : ''})`;
  const credential = run.model.credentialOf(s, back);
  const presented = mutate ? mutated(credential, s.id.length + 1) : credential;
  const outcome = await attempt<Issued | Validated>(
    kind === 'validate' ? run.sess.validate(presented) : run.sess.refresh(presented),
  );
  const match = refusal(run, s, { kind, back, mutate, what }, outcome);
  if (match === null) return null;
  const value = check(outcome, { ok: true }, what)!;
  if (match === 'previous') {
    assert.equal(
      value.credential,
      run.model.current(s),
      `${what}: a retry in the window gets the successor`,
    );
  }
  return { what, match, value };
}

export async function validate(
  run: Run,
  s: ModelSession,
  back: number,
  mutate: boolean,
): Promise<void> {
  const { model } = run;
  const presented = await present(run, s, 'validate', back, mutate);
  if (!presented) return;
  const { what, match } = presented;
  const result = presented.value as Validated;
  if (match === 'current' && model.now() - (s.rotatedAt ?? s.createdAt) >= RENEWAL_MS) {
    assert.ok(result.credential, `${what}: renewal is due, a new credential is issued`);
    model.rotate(s, result.credential);
  } else if (match === 'current') {
    assert.equal(result.credential, null, `${what}: no renewal before the interval`);
    if (model.now() - s.lastActiveAt >= TOUCH_MS) s.lastActiveAt = model.now();
  }
  checkSession(run, s, result.session, what);
}

export async function refresh(
  run: Run,
  s: ModelSession,
  back: number,
  mutate: boolean,
): Promise<void> {
  const presented = await present(run, s, 'refresh', back, mutate);
  if (!presented) return;
  const { what, match } = presented;
  const issued = presented.value as Issued;
  if (match === 'current') run.model.rotate(s, issued.credential);
  recordToken(run, s, issued.accessToken, what);
  checkSession(run, s, issued.session, what);
}

export async function parallelRefresh(run: Run, s: ModelSession, racers: number): Promise<void> {
  const what = `${racers} parallel refresh(${s.label})`;
  const credential = run.model.current(s);
  const outcomes = await Promise.all(
    Array.from({ length: racers }, () => attempt(run.sess.refresh(credential))),
  );
  const dead = run.model.deadPrediction(s, true);
  if (dead) {
    for (const outcome of outcomes) check(outcome, dead, what);
    return;
  }
  const issued = outcomes.map((outcome) => check(outcome, { ok: true }, what)!);
  const heads = new Set(issued.map((i) => i.credential));
  assert.equal(heads.size, 1, `${what}: every racer gets the same successor (one live head)`);
  run.model.rotate(s, issued[0]!.credential);
  for (const i of issued) recordToken(run, s, i.accessToken, what);
}

export async function revoke(run: Run, s: ModelSession, what: string): Promise<void> {
  const deleted = await attempt(run.sess.revoke(s.id));
  assert.ok(deleted.ok, `${what}: revoke succeeds`);
  if (s.revoked) assert.equal(deleted.value, false, `${what}: a revoked session is gone already`);
  else if (!run.model.expired(s))
    assert.equal(deleted.value, true, `${what}: a present session is deleted`);
  s.revoked = true;
}

export async function logoutAll(run: Run, user: number, except: number | null): Promise<void> {
  const { model } = run;
  const mine = model.sessions.filter((s) => s.user === user);
  const kept = except !== null && mine.length > 0 ? mine[except % mine.length]! : null;
  const what = `logout-all(u${user}${kept ? `, except ${kept.label}` : ''})`;
  const outcome = await attempt(
    run.sess.revokeAllForUser(run.userIds[user]!, kept ? { except: [kept.id] } : {}),
  );
  assert.ok(outcome.ok, `${what}: succeeds`);
  const others = mine.filter((s) => s !== kept && !s.revoked);
  const present = others.filter((s) => !model.expired(s)).length;
  assert.ok(
    outcome.value >= present && outcome.value <= others.length,
    `${what}: deleted ${outcome.value}, the model has ${present} present (${others.length} with expired ones)`,
  );
  for (const s of others) s.revoked = true;
  if (!kept) model.watermarks[user] = model.now();
}

export async function update(
  run: Run,
  s: ModelSession,
  stale: boolean,
  step: number,
): Promise<void> {
  const what = `update(${s.label}${stale ? ', stale version' : ''})`;
  const record = await run.ctx.store.get(s.id);
  const version = stale || !record ? 1 : record.version;
  const outcome = await attempt(run.sess.update({ id: s.id, version }, { step }));
  if (!record) return void check(outcome, { ok: false, codes: [NOT_FOUND] }, what);
  if (record.version !== version)
    return void check(outcome, { ok: false, codes: [CONFLICT] }, what);
  check(outcome, { ok: true }, what);
}

/**
 * A slow request: `writer` has read the record and is about to write it (a touch or a rotation)
 * when `other` revokes, rotates or logs the user out. The held write must then lose its
 * compare-and-set: nothing is written back after a revoke, and no stale write undoes a rotation.
 */
export async function writeRace(
  run: Run,
  s: ModelSession,
  writer: 'validate' | 'refresh',
  other: 'revoke' | 'refresh' | 'logout-all',
): Promise<void> {
  const { model, sess, gated } = run;
  const what = `${writer}(${s.label}) held before its write while ${other} runs`;
  if (writer === 'validate') model.advance(TOUCH_MS); // a touch is due: a live session's validation writes
  const dead = model.deadPrediction(s, true);
  const credential = model.current(s);
  const gate = gated.hold(s.id);
  const pending = attempt<Issued | Validated>(
    writer === 'validate' ? sess.validate(credential) : sess.refresh(credential),
  );
  const reached = await Promise.race([gate.reached.then(() => true), pending.then(() => false)]);
  if (!reached) {
    gate.release();
    const outcome = await pending;
    assert.ok(
      dead,
      `${what}: a live session's ${writer} writes (touch or rotation), but it did not`,
    );
    check(outcome, dead, what);
    return;
  }
  assert.equal(dead, null, `${what}: a dead session is refused before anything is written`);
  let successor: string | null = null;
  if (other === 'revoke') await revoke(run, s, what);
  else if (other === 'logout-all') await logoutAll(run, s.user, null);
  else {
    const issued = check(await attempt(sess.refresh(credential)), { ok: true }, what)!;
    successor = issued.credential;
    model.rotate(s, successor);
    recordToken(run, s, issued.accessToken, what);
  }
  gate.release();
  const outcome = await pending;
  assert.equal(
    gated.lastGatedResult(),
    false,
    `${what}: the held compare-and-set must fail (nothing written back after revoke, no rotation undone)`,
  );
  if (successor === null) {
    if (!outcome.ok) assert.ok(UNAUTHORIZED.includes(outcome.code), `${what}: ${outcome.code}`);
    return;
  }
  // The session lives on: the slow request still succeeds, and never forks the family.
  const value = check(outcome, { ok: true }, what)!;
  if (run.strategy === 'jwt') recordToken(run, s, (value as Issued).accessToken, what);
  const issuedCredential: string | null = value.credential;
  if (writer === 'refresh' || issuedCredential !== null) {
    assert.equal(issuedCredential, successor, `${what}: the slow request gets the same successor`);
  }
}
