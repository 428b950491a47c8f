import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

// The new secret first: it keys new rotations and CSRF tokens. The previous one still recovers
// refresh retries that were in flight under it. Drop it once every instance runs with the new one.
const secret = [process.env.SESS_SECRET!, process.env.SESS_SECRET_PREVIOUS!];

export const sess = createSessionManager({
  store: sqliteStore({ database: 'data/sessions.db', migrate: true }),
  secret,
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
