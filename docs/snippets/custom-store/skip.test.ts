import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import { myStore, type Sql } from './my-store.ts';

declare const db: Sql;

describeStoreConformance('myStore (managed service)', async () => ({ store: myStore(db) }), {
  skip: {
    'secret-hashed': 'no raw read access to the managed backend',
    'fail-rejects': 'the connection cannot be broken from the test',
    'fail-manager': 'the connection cannot be broken from the test',
  },
  timeout: 20_000,
});
