import { sess } from './sess.ts';

// Every 10 minutes, on every instance: harmless in parallel, and `0` at once on Redis.
const timer = setInterval(() => {
  sess.cleanup().then(
    (reaped) => console.info('sess cleanup', { reaped }),
    (error: unknown) => console.error('sess cleanup failed', error),
  );
}, 10 * 60_000);
timer.unref(); // never keeps the process alive, so shutdown need not stop it
