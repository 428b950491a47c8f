import { createSessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';

declare const user: { id: string };

const sess = createSessionManager({
  store: memoryStore(),
  secret: process.env.SESS_SECRET!,
  preset: 'b2b',
  sessions: {
    standard: { idleTimeout: '2h' }, // the rest of b2b's standard class stays
    admin: { idleTimeout: '10m', absoluteTimeout: '1h', renewalInterval: '15m' },
  },
});
await sess.create(user.id, { sessionClass: 'admin' });
