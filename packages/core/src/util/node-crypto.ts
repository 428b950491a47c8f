// Web Crypto runs every digest and HMAC as an asynchronous job on a worker thread; for inputs of a
// few hundred bytes the hand-off costs far more than the hash. Where the runtime exposes
// node:crypto through process.getBuiltinModule (Node >= 20.16, Bun, Deno), the same primitives run
// synchronously. Reached at run time, never imported: core still builds and runs on Web Crypto alone.

/** The node:crypto `Hash`/`Hmac` calls sess makes. */
interface Digest {
  update(data: string): Digest;
  digest(encoding: 'base64url'): string;
}

/** A node:crypto secret `KeyObject`, opaque to core. */
interface NodeSecretKey {
  readonly type: string;
}

/** HMAC-SHA256 of a string (UTF-8) under one key, base64url encoded. */
export type SyncHmac = (text: string) => string;

/** The part of node:crypto sess uses, typed structurally (core compiles without Node's types). */
export interface NodeCrypto {
  /** One-shot digest (Node >= 20.12): no Hash object per call. */
  hash?(algorithm: 'sha256', data: string, encoding: 'base64url'): string;
  createHash(algorithm: 'sha256'): Digest;
  createHmac(algorithm: 'sha256', key: NodeSecretKey): Digest;
  readonly KeyObject: { from(key: CryptoKey): NodeSecretKey };
}

type Runtime = { process?: { getBuiltinModule?: (id: string) => unknown } };

function builtin(): NodeCrypto | null {
  try {
    const mod = (globalThis as Runtime).process?.getBuiltinModule?.('node:crypto') as
      | Partial<NodeCrypto>
      | undefined;
    return typeof mod?.createHmac === 'function' &&
      typeof mod.createHash === 'function' &&
      typeof mod.KeyObject?.from === 'function'
      ? (mod as NodeCrypto)
      : null;
  } catch {
    return null;
  }
}

let active = builtin();
// Keyed by the CryptoKey, so a key is adopted once however many MACs it computes.
let macs = new WeakMap<CryptoKey, SyncHmac | null>();

/** node:crypto when the runtime offers it, else null (use Web Crypto). */
export function nodeCrypto(): NodeCrypto | null {
  return active;
}

/**
 * A synchronous HMAC-SHA256 under an HMAC `CryptoKey` (node:crypto adopts the key; its secret is
 * never exported), or null when node:crypto is unavailable or cannot adopt it: stay on Web Crypto.
 */
export function syncHmac(key: CryptoKey): SyncHmac | null {
  const node = active;
  if (node === null) return null;
  let mac = macs.get(key);
  if (mac === undefined) {
    try {
      const keyObject = node.KeyObject.from(key);
      mac = (text) => node.createHmac('sha256', keyObject).update(text).digest('base64url');
    } catch {
      mac = null;
    }
    macs.set(key, mac);
  }
  return mac;
}

/**
 * Turns the node:crypto paths off (`false`) or back on, for this module instance. Tests use it to
 * run the same cases on both paths; applications never need it.
 */
export function useNodeCrypto(enabled: boolean): void {
  active = enabled ? builtin() : null;
  macs = new WeakMap();
}
