// Instance B of the app in its own process (cross-instance.test.ts starts it with tsx): it reports
// broadcasts it hears, and watches an access token until its own validation rejects it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createSessionManager, silentLogger } from '@sess/core';
import { postgresStore } from '../src/index.ts';
import { app, type FromChild, type ToChild } from './app.ts';

const send = (message: FromChild): void => void process.send?.(message);
const store = postgresStore({
  url: process.env.DATABASE_URL!,
  schema: process.env.SESS_TEST_SCHEMA!,
  logger: silentLogger,
});
const sess = createSessionManager({ ...app, store });

// Hearing its own broadcast proves the LISTEN connection is live: every later one arrives too.
const off = store.subscribe((event) => {
  if (event.type === 'deny' && event.key === 'warm-up') {
    off();
    send({ type: 'listening' });
  }
});
store.deny('warm-up', Date.now() + 60_000).catch((error: unknown) => {
  send({ type: 'failed', message: String(error) });
});

async function watch(token: string): Promise<void> {
  await sess.validate(token); // accepted, and cached as not revoked for the default 5 s
  send({ type: 'watching' });
  for (;;) {
    try {
      await sess.validate(token);
    } catch (error) {
      return send({ type: 'rejected', code: String((error as { code?: unknown }).code) });
    }
    await nextTurn();
  }
}

process.on('message', (message: ToChild) => {
  if (message.type === 'watch') {
    watch(message.token).catch((error: unknown) =>
      send({ type: 'failed', message: String(error) }),
    );
  } else {
    sess.close();
    void store.close().finally(() => process.disconnect());
  }
});
