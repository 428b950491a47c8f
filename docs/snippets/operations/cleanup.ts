import { sess } from './sess.ts';

// Every 10 minutes, on every instance: harmless in parallel, and `0` at once on Redis.
const timer = setInterval(() => {
  sess.cleanup().then(
    (reaped) => console.info('sess cleanup', { reaped }),
    (error: unknown) => console.error('sess cleanup failed', error),
  );
}, 10 * 60_000);
timer.unref(); // never keeps the process alive

process.once('SIGTERM', () => {
  clearInterval(timer);
  sess.close(); // stops listening for revocation broadcasts; the store stays yours to close
});
