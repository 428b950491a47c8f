import type { SessionRecord, SessionStore } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { manualClock } from '../src/index.ts';
import { describeStoreConformance } from '../src/vitest.ts';

// memoryStore has no backend to read around it, so the probe records everything the store is
// handed to persist: a secret in clear would show up there first.
function recorded(store: SessionStore, written: SessionRecord[]): SessionStore {
  return Object.assign(Object.create(store) as SessionStore, {
    create: (record: SessionRecord) => {
      written.push(structuredClone(record));
      return store.create(record);
    },
    update: (record: SessionRecord, expectedVersion: number) => {
      written.push(structuredClone(record));
      return store.update(record, expectedVersion);
    },
  });
}

describeStoreConformance('memoryStore (injected clock)', async () => {
  const clock = manualClock();
  const store = memoryStore({ clock });
  const written: SessionRecord[] = [];
  return {
    store: recorded(store, written),
    clock,
    probe: { dump: async () => JSON.stringify(written) },
    fail: () => store.close(),
  };
});

describeStoreConformance(
  'memoryStore (system clock)',
  async () => {
    const store = memoryStore();
    return { store, fail: () => store.close() };
  },
  { skip: { 'secret-hashed': 'covered by the injected-clock run, which has a probe' } },
);
