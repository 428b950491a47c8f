import session from 'express-session';
import { expressSessionStore } from '../src/index.ts';
import { describeMigration } from './harness.ts';

describeMigration(
  'express-session MemoryStore through expressSessionStore and a claim',
  async () => {
    const store = new session.MemoryStore();
    const claimed = new Set<string>();
    return {
      store,
      legacy: expressSessionStore(store, {
        // One process here; across processes this is an atomic SET NX (see the docs).
        claim: async (sid) => !claimed.has(sid) && claimed.add(sid) !== undefined,
      }),
      exists: (sid) =>
        new Promise((resolve, reject) =>
          store.get(sid, (error, found) => (error ? reject(error) : resolve(Boolean(found)))),
        ),
      close: async () => {},
    };
  },
);
