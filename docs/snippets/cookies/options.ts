import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

const production = process.env.NODE_ENV === 'production';

export const sess = createSessionManager({
  store: sqliteStore({ database: 'data/sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  // Plain-HTTP localhost needs `secure: false`; the __Host- and __Secure- prefixes then drop.
  cookies: { secure: production, sameSite: 'lax', refreshPath: '/auth/refresh' },
  csrf: { trustedOrigins: [production ? 'https://app.example.com' : 'http://localhost:3000'] },
});
