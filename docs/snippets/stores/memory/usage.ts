import { createSessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';

export const sess = createSessionManager({
  store: memoryStore(),
  secret: process.env.SESS_SECRET!,
});
