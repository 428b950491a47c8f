import { createSessionManager, type SessionStore } from '@sess/core';

declare const store: SessionStore;

export const sess = createSessionManager({
  store,
  secret: process.env.SESS_SECRET!,
  csrf: { trustedOrigins: ['https://shop.example'] },
  guest: { lifetime: '30d', idleTimeout: '7d', maxBytes: 4096 },
});
