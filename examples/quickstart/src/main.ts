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

function step(label: string, text: string): void {
  console.log(`${label.padEnd(10)} ${text}`);
}

// Secrets are never printed, not even in part: a credential shows its public id only.
const publicPart = (credential: string): string => `${credential.split('.')[0]}.<secret>`;

async function expectRefused(label: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isSessError(error)) throw error;
    step(label, `refused with ${error.code}`);
    return;
  }
  throw new Error(`${label}: expected a refusal`);
}

sess.on('refresh.reused', (e) => step('event', `refresh.reused for session ${e.sessionId}`));
sess.on('session.revoked', (e) =>
  step('event', `session.revoked (${e.reason}) ${e.sessionId ?? `every session of ${e.userId}`}`),
);

const login = await sess.create('alice', { request: { userAgent: 'quickstart', ip: '127.0.0.1' } });
step('create', `session ${login.session.id} for alice`);
step('', `refresh token ${publicPart(login.credential)}, access token valid ${login.expiresIn}s`);

const me = await sess.validate(login.accessToken);
step('validate', `access token accepted: user ${me.userId}, session ${me.sessionId}`);

const first = await sess.refresh(login.credential);
step('refresh', `rotated: new refresh token issued (${first.credential !== login.credential})`);

const retry = await sess.refresh(login.credential);
step(
  'retry',
  `old token again inside the reuse window gets the same successor: ${retry.credential === first.credential}`,
);

const second = await sess.refresh(first.credential);
step('refresh', `rotated again with the new token (${second.credential !== first.credential})`);

step('theft', 'the first, long-superseded token is presented again…');
await expectRefused('reuse', () => sess.refresh(login.credential));
await expectRefused('after', () => sess.validate(second.accessToken));

const phone = await sess.create('alice', { request: { userAgent: 'phone' } });
const laptop = await sess.create('alice', { request: { userAgent: 'laptop' } });
const devices = await sess.list('alice');
step('devices', devices.map((s) => `${s.meta.userAgent} (${s.id})`).join(', '));
await sess.revoke(phone.session.id);
await expectRefused('revoke', () => sess.validate(phone.accessToken));
const stillIn = (await sess.validate(laptop.accessToken)).sessionId === laptop.session.id;
step('laptop', `still signed in: ${stillIn}`);
step('everywhere', `log out everywhere deleted ${await sess.revokeAllForUser('alice')} session(s)`);
await expectRefused('laptop', () => sess.validate(laptop.accessToken));

const { events } = sess.metrics();
step(
  'metrics',
  Object.entries(events)
    .map(([name, n]) => `${name}=${n}`)
    .join(' '),
);
sess.close();
await store.close();
