import { describeStoreConformance } from '@sess/store-test-kit/vitest';
import { redisStore } from '../src/index.ts';
import {
  describeRedis,
  ownedClientStore,
  probe,
  REDIS_URL,
  randomPrefix,
  removeKeys,
  testClient,
} from './support.ts';

describeRedis('redisStore on a single node', () => {
  describeStoreConformance(
    'with a client the caller owns and an injected clock',
    ownedClientStore(() => testClient()),
  );

  describeStoreConformance('with a client it creates from the URL, probed by another', async () => {
    const prefix = randomPrefix();
    const store = redisStore({ url: REDIS_URL, prefix });
    const admin = testClient();
    return {
      store,
      probe: probe(admin, prefix),
      fail: () => store.close(),
      cleanup: async () => {
        await store.close();
        await removeKeys(admin, prefix);
        admin.disconnect();
      },
    };
  });
});
