import { createSessionManager } from '@sess/core';
import { sqliteStore } from '@sess/store-sqlite';

export const sess = createSessionManager({
  store: sqliteStore({ database: 'data/sessions.db', migrate: true }),
  secret: process.env.SESS_SECRET!,
  csrf: {
    trustedOrigins: ['https://app.example.com', 'https://admin.example.com'],
    mode: 'synchronizer', // the default; or 'double-submit', 'origin-only'
    headerName: 'x-csrf-token', // the default
    formField: '_csrf', // the default
  },
});
