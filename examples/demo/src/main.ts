// `npm start` at the repository root: the demo on Express + SQLite unless the environment says otherwise.
import { configFromEnv } from './config.ts';
import { startDemo } from './demo.ts';

const config = configFromEnv();
const demo = await startDemo(config);
console.log(
  `sess demo (${config.framework}, ${config.store}, ${config.strategy} strategy) at ${demo.url}\n` +
    'Log in as alice@example.com / alice-password-1 or bob@example.com / bob-password-1. Ctrl+C stops it.',
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: closing the server and the store…`);
    demo.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('demo: close failed', error);
        process.exit(1);
      },
    );
  });
}
