import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './client.ts';
import { escapeGlob } from './keys.ts';

async function nodesOf(client: Redis | Cluster): Promise<Redis[]> {
  if (!isCluster(client)) return [client];
  // The node list is complete only once the client has loaded the slot map: a PING waits for it.
  await client.ping();
  const masters = client.nodes('master');
  if (masters.length === 0) throw new Error('scanKeys: the Cluster client knows no master node');
  return masters;
}

/**
 * Every key whose name starts with `prefix`, by `SCAN` (never `KEYS`, which blocks the server) on
 * the node, or on every master of a Cluster. The prefix is matched literally: glob characters in it
 * are escaped. Keys written or deleted during the scan may or may not be seen, as with `SCAN`.
 *
 * @example
 * ```ts
 * // Retiring a prefix: remove everything the store wrote under it.
 * for await (const key of scanKeys(client, 'old-sess:')) await client.unlink(key);
 * ```
 */
export async function* scanKeys(
  client: Redis | Cluster,
  prefix: string,
  count = 1_000,
): AsyncGenerator<string, void, undefined> {
  const match = `${escapeGlob(prefix)}*`;
  for (const node of await nodesOf(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      yield* keys;
    } while (cursor !== '0');
  }
}
