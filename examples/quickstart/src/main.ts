// The quick-start tour: sessions on the embedded SQLite store, step by step.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createSessionManager, isSessError } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

const dataDir = new URL('../data/', import.meta.url);
mkdirSync(dataDir, { recursive: true });
const store = sqliteStore({ database: new URL('sessions.db', dataDir).pathname, migrate: true });

const sess = createSessionManager({
  store,
  strategy: 'jwt',
  secret: process.env.SESS_SECRET ?? randomBytes(32).toString('base64url'),
  jwt: {
    keys: [{ kid: 'quickstart', alg: 'HS256', secret: randomBytes(32).toString('base64url') }],
    issuer: 'https://quickstart.example',
    audience: 'https://quickstart.example/api',
  },
});
sess.on('refresh.reused', (e) => step('event', `refresh.reused for session ${e.sessionId}`));
sess.on('session.revoked', (e) =>
  step('event', `session.revoked (${e.reason}) ${e.sessionId ?? ''}`),
);

const short = (token: string) => `${token.slice(0, 12)}…`;
function step(label: string, text: string) {
  console.log(`${label.padEnd(9)} ${text}`);
}

async function expectRefused(label: string, run: () => Promise<unknown>) {
  try {
    await run();
    throw new Error(`${label}: expected a refusal`);
  } catch (error) {
    if (!isSessError(error)) throw error;
    step(label, `refused with ${error.code}`);
  }
}

const login = await sess.create('alice', { request: { userAgent: 'quickstart', ip: '127.0.0.1' } });
step(
  'create',
  `session ${login.session.id} for alice; refresh token ${short(login.credential)}, access token ${short(login.accessToken!)} (${login.expiresIn}s)`,
);

const me = await sess.validate(login.accessToken);
step('validate', `access token is valid: user ${me.userId}, session ${me.sessionId}`);

const first = await sess.refresh(login.credential);
step('refresh', `rotated: new refresh token ${short(first.credential)}`);

const retry = await sess.refresh(login.credential);
step(
  'retry',
  `same old token again inside the reuse window -> same successor: ${retry.credential === first.credential}`,
);

const second = await sess.refresh(first.credential);
step('refresh', `rotated again: ${short(second.credential)}`);

await expectRefused('reuse', () => sess.refresh(login.credential));
await expectRefused('after', () => sess.validate(second.accessToken));

const phone = await sess.create('alice', { request: { userAgent: 'phone' } });
const laptop = await sess.create('alice', { request: { userAgent: 'laptop' } });
step(
  'devices',
  (await sess.list('alice')).map((s) => `${s.meta.userAgent}:${s.id.slice(0, 6)}`).join(', '),
);
await sess.revoke(phone.session.id);
await expectRefused('revoke', () => sess.validate(phone.accessToken));
step(
  'still',
  `laptop still valid: ${(await sess.validate(laptop.accessToken)).sessionId === laptop.session.id}`,
);
const count = await sess.revokeAllForUser('alice');
step('everywhere', `log out everywhere deleted ${count} session(s)`);
await expectRefused('everywhere', () => sess.validate(laptop.accessToken));

step('metrics', JSON.stringify(sess.metrics().events));
sess.close();
await store.close();
