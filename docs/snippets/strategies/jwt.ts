import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

export const sess = createSessionManager({
  store: sqliteStore({ database: 'data/sessions.db', migrate: true }),
  strategy: 'jwt', // or 'hybrid': the same tokens, plus a store read per request
  preset: 'b2c', // access tokens 1h; sessions 7d idle / 30d absolute
  secret: process.env.SESS_SECRET!,
  jwt: {
    keys: [{ kid: '2026-01', alg: 'EdDSA', privateKey: process.env.JWT_PRIVATE_KEY! }],
    issuer: 'https://auth.example.com',
    audience: 'https://api.example.com',
  },
  csrf: { trustedOrigins: ['https://app.example.com'] },
});
