import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

const sess = createSessionManager({
  store: sqliteStore({ database: 'sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!, // at least 32 random bytes
});

const device = { userAgent: 'Mozilla/5.0', ip: '203.0.113.7' };
// After your own password check: start a session, send `cookies` with the response.
const { credential, cookies } = await sess.create('user-42', { request: device });
// On every request: the credential comes back in the session cookie.
const { userId, sessionId } = await sess.validate(credential, device);
console.log(`${userId} is in session ${sessionId}; set ${cookies.length} cookie(s)`);
// Logout.
await sess.revoke(sessionId);
