import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './client.ts';
import { runScript, type Script } from './scripts.ts';

/** The checked form of the `durability` option. */
export interface DurabilitySettings {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/**
 * The writes of one store operation. Each write goes out on the connection of its key's node, and
 * `settle` then checks that each of those connections got its replicas' acknowledgements.
 */
export interface Writes {
  /** Sends one write of `key` (the first key it touches) on the right connection. */
  send<T>(key: string, write: (connection: Redis | Cluster) => Promise<T>): Promise<T>;
  /** Runs `script` (EVALSHA, EVAL on NOSCRIPT) on the connection of `keys[0]`. */
  script(
    script: Script,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown>;
  /** Resolves once every connection written on has `replicas` acknowledgements; rejects if not. */
  settle(): Promise<void>;
}

/** Starts the writes of one operation. */
export type Durability = (operation: string) => Writes;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

/** The Cluster hash slot of `key` (CRC16/XMODEM of the hash tag, or of the key, mod 16384). */
export function slotOf(key: string): number {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b); // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % 16_384;
}

/** The writes of a store without `durability`: straight to the client, nothing to wait for. */
function plain(client: Redis | Cluster): Writes {
  return {
    send: (_key, write) => write(client),
    script: (script, keys, args) => runScript(client, script, keys, args),
    settle: () => Promise.resolve(),
  };
}

// Redis >= 7.2 has WAITAOF: replicas acknowledge once the write is in their append-only file (or,
// with AOF off there, once they have it, as WAIT does). Asked once per connection and remembered.
const WAITAOF_SINCE = [7, 2];
function supportsWaitAof(info: string): boolean {
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (!version) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > WAITAOF_SINCE[0]! || (major === WAITAOF_SINCE[0] && minor >= WAITAOF_SINCE[1]!);
}

/**
 * The store's write path. Without durability, every write goes to the client. With it, every write
 * of an operation is followed, on the same connection, by `WAIT replicas timeout` (`WAITAOF 0
 * replicas timeout` on Redis >= 7.2): Redis answers it once that many replicas acknowledge every
 * write this connection made before it. The wait is sent right behind the write (pipelined), so no
 * reconnect can slip between them; in Cluster both go to the master that owns the key's slot, as
 * the slot map says when the write is sent (a node that lost the slot answers MOVED: a failure).
 */
export function durability(
  client: Redis | Cluster,
  settings: DurabilitySettings | null,
): Durability {
  if (settings === null) {
    const writes = plain(client);
    return () => writes;
  }
  const { replicas, timeoutMs } = settings;
  const cluster = isCluster(client);
  const waitAof = new WeakMap<Redis | Cluster, Promise<boolean>>();

  const command = (connection: Redis | Cluster): Promise<boolean> => {
    let known = waitAof.get(connection);
    if (!known) {
      known = (connection as Redis)
        .info('server')
        .then(supportsWaitAof)
        .catch((error: unknown) => {
          // A refusal (INFO renamed or denied by an ACL) is final: WAIT it is. A connection
          // failure is not: asked again next time.
          if (!(error instanceof Error && error.name === 'ReplyError')) waitAof.delete(connection);
          return false;
        });
      waitAof.set(connection, known);
    }
    return known;
  };

  // In Cluster, the master of the key's slot as the client's slot map has it, and its connection.
  const nodeFor = async (key: string): Promise<Redis | Cluster> => {
    if (!cluster) return client;
    const c = client as Cluster;
    if (c.status !== 'ready') await readyOf(c);
    const owner = c.slots[slotOf(key)]?.[0];
    const node =
      owner && c.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
    if (!node) throw new Error('redisStore: no master known for this key yet (Cluster)');
    return node;
  };

  return (operation) => {
    const pending: Promise<unknown>[] = [];
    const send = async <T>(
      key: string,
      write: (connection: Redis | Cluster) => Promise<T>,
    ): Promise<T> => {
      const connection = await nodeFor(key);
      const aof = await command(connection);
      // The write and its wait leave in this tick, in this order, on this connection.
      const written = write(connection);
      const acked = aof
        ? connection.call('WAITAOF', 0, replicas, timeoutMs).then((r) => (r as number[])[1])
        : connection.call('WAIT', replicas, timeoutMs);
      acked.catch(() => {}); // awaited in settle, or moot when the write fails
      pending.push(acked);
      try {
        return await written;
      } catch (error) {
        if (cluster && isMoved(error)) (client as Cluster).refreshSlotsCache();
        throw error;
      }
    };
    return {
      send,
      async script(script, keys, args) {
        const key = keys[0]!;
        try {
          return await send(key, (c) => c.evalsha(script.sha, keys.length, ...keys, ...args));
        } catch (error) {
          if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
          return send(key, (c) => c.eval(script.source, keys.length, ...keys, ...args));
        }
      },
      async settle() {
        const acks = (await Promise.all(pending)).map(Number);
        const least = Math.min(...acks);
        if (least < replicas) {
          throw new Error(
            `redisStore.${operation}: ${least} of ${replicas} replicas acknowledged the write within ${timeoutMs} ms`,
          );
        }
      },
    };
  };
}

const isMoved = (error: unknown): boolean =>
  error instanceof Error && /^(MOVED|ASK|READONLY|CLUSTERDOWN|TRYAGAIN) /.test(error.message);

// One promise per connecting spell of a Cluster client, resolved on its next 'ready'.
const readiness = new WeakMap<Cluster, Promise<void>>();
function readyOf(client: Cluster): Promise<void> {
  let ready = readiness.get(client);
  if (!ready) {
    ready = new Promise<void>((resolve) => {
      client.once('ready', () => {
        readiness.delete(client);
        resolve();
      });
    });
    readiness.set(client, ready);
  }
  return ready;
}
