import { createSessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';

let now = Date.parse('2026-01-01T00:00:00Z');
const clock = { now: () => now };
const sess = createSessionManager({
  store: memoryStore({ clock }),
  clock,
  secret: 'test-secret-0b7e4c1a9f3d5e8b2a6c4f1d7e9b3a5c',
});

const { credential } = await sess.create('alice');
now += 31 * 60_000; // past the 30-minute idle timeout
await sess.validate(credential); // rejects: ERR_SESS_INVALID_CREDENTIAL (the session is gone)
