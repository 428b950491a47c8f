import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

export const sess = createSessionManager({
  store: sqliteStore({ database: 'data/sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  // Secure stays on in development too: browsers accept Secure cookies on http://localhost.
  cookies: { sameSite: 'lax', refreshPath: '/auth/refresh' },
  csrf: { trustedOrigins: [process.env.APP_ORIGIN ?? 'http://localhost:3000'] },
});
