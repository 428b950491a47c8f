import { manualClock } from '@sess/store-test-kit';
import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import { myStore } from './my-store.ts';
import { freshDatabase } from './test-database.ts';

describeStoreConformance('myStore', async () => {
  const clock = manualClock();
  const db = await freshDatabase(); // a new schema or key prefix per case
  let ended = false;
  const end = async () => {
    if (ended) return; // fail() may already have ended it
    ended = true;
    await db.end();
  };
  return {
    store: myStore(db, clock),
    clock, // lets the kit move time instead of waiting
    probe: {
      dump: async () => JSON.stringify((await db.query('SELECT * FROM sessions', [])).rows),
    },
    fail: end, // break the connection: every operation must then reject
    cleanup: end,
  };
});
