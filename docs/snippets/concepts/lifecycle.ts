import { sess } from './sess.ts';

declare const user: { id: string };
declare const userAgent: string | null;
declare const ip: string | null;

// Login, after *your* password (or SSO) check succeeded.
const issued = await sess.create(user.id, {
  data: { role: 'member' },
  request: { userAgent, ip },
  sessionClass: 'rememberMe', // or 'standard' (the default)
});
issued.credential; // `<id>.<secret>`: the cookie value. Secret: never log it.
issued.cookies; // the Set-Cookie instructions for the response

// Every request: validate what the cookie carries.
const auth = await sess.validate(issued.credential, { userAgent, ip });
auth.session?.data; // { role: 'member' }
auth.cookies; // usually empty: a renewed credential when the session was rotated

// Change session data, compare-and-set on the version you read.
await sess.update(auth.session!, { role: 'admin' });
// Privilege change: a new id and secret; the old credential dies at once.
const fresh = await sess.regenerate(auth.sessionId);

// Devices, "log out other devices", logout, "log out everywhere".
const devices = await sess.list(user.id); // live sessions, most recently active first
devices.map((s) => s.meta.userAgent);
await sess.revokeAllForUser(user.id, { except: [fresh.session.id] });
await sess.revoke(fresh.session.id);
await sess.revokeAllForUser(user.id);
