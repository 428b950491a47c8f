// The one module that reaches Node's built-ins (node:crypto, node:buffer), at run time, never by
// import. Web Crypto runs every digest and HMAC as an asynchronous job on a worker thread; for inputs of a
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

/**
 * HMAC-SHA256 of strings (UTF-8) under one key, base64url encoded. A class, not a closure per key:
 * a call site that sees the keys of several session managers then still calls one function, and
 * V8 keeps its optimized code (with closures, a second manager's first validation discarded it).
 */
export class SyncHmac {
  readonly #node: NodeCrypto;
  readonly #secret: NodeSecretKey;

  constructor(node: NodeCrypto, secret: NodeSecretKey) {
    this.#node = node;
    this.#secret = secret;
  }

  /** The MAC of `text`. */
  sign(text: string): string {
    return this.#node.createHmac('sha256', this.#secret).update(text).digest('base64url');
  }
}

/** The part of node:crypto sess uses, typed structurally (core compiles without Node's types). */
export interface NodeCrypto {
  /** One-shot digest (Node >= 20.12): no Hash object per call. */
  hash?(algorithm: 'sha256', data: string, encoding: 'base64url'): string;
  createHash(algorithm: 'sha256'): Digest;
  createHmac(algorithm: 'sha256', key: NodeSecretKey): Digest;
  createSecretKey(key: Uint8Array): NodeSecretKey;
}

type Runtime = { process?: { getBuiltinModule?: (id: string) => unknown } };

function builtin(): NodeCrypto | null {
  try {
    const mod = (globalThis as Runtime).process?.getBuiltinModule?.('node:crypto') as
      | Partial<NodeCrypto>
      | undefined;
    return typeof mod?.createHmac === 'function' &&
      typeof mod.createHash === 'function' &&
      typeof mod.createSecretKey === 'function'
      ? (mod as NodeCrypto)
      : null;
  } catch {
    return null;
  }
}

const available = builtin();
let active = available;
// node:crypto's twin of each HMAC CryptoKey core imported from raw bytes. The twin is built from
// those bytes, never from the CryptoKey: adopting a non-extractable CryptoKey (KeyObject.from) is
// deprecated (DEP0204, warned by Bun today) and would mean exporting a key marked unexportable.
// Kept while node:crypto is switched off, so switching back finds the keys imported meanwhile.
const twins = new WeakMap<CryptoKey, NodeSecretKey>();
let macs = new WeakMap<CryptoKey, SyncHmac | null>();

/** node:crypto when the runtime offers it, else null (use Web Crypto). */
export function nodeCrypto(): NodeCrypto | null {
  return active;
}

/**
 * Which implementation computes core's SHA-256 and HMAC-SHA256 in this runtime: `'node:crypto'`
 * where the runtime exposes it through `process.getBuiltinModule` (Node >= 20.16, Bun, Deno,
 * workerd with `nodejs_compat`), synchronously; else `'web-crypto'`. Results are byte-identical
 * either way; this is for diagnostics and the runtimes job (docs/runtimes.md).
 *
 * @example
 * ```ts
 * import { cryptoPath } from '@sess/core/http';
 * cryptoPath(); // 'node:crypto' on Node, 'web-crypto' on a Worker without nodejs_compat
 * ```
 */
export function cryptoPath(): 'node:crypto' | 'web-crypto' {
  return active === null ? 'web-crypto' : 'node:crypto';
}

/**
 * Gives `key` a node:crypto twin made from `raw`, the bytes it was imported from, so
 * {@link syncHmac} can compute its MACs synchronously. A no-op without node:crypto.
 */
export function adoptHmacKey(key: CryptoKey, raw: Uint8Array): void {
  if (available === null) return;
  try {
    twins.set(key, available.createSecretKey(raw));
  } catch {
    // A runtime whose node:crypto lacks secret keys stays on Web Crypto for this key.
  }
}

/**
 * A synchronous HMAC-SHA256 under an HMAC `CryptoKey` that {@link adoptHmacKey} saw, or null when
 * node:crypto is unavailable or the key came from elsewhere (a caller's CryptoKey): stay on Web
 * Crypto.
 */
export function syncHmac(key: CryptoKey): SyncHmac | null {
  const node = active;
  if (node === null) return null;
  let mac = macs.get(key);
  if (mac === undefined) {
    const secret = twins.get(key);
    mac = secret === undefined ? null : new SyncHmac(node, secret);
    macs.set(key, mac);
  }
  return mac;
}

/**
 * Turns the node:crypto paths off (`false`) or back on, for this module instance. Tests use it to
 * run the same cases on both paths; applications never need it.
 */
export function useNodeCrypto(enabled: boolean): void {
  active = enabled ? available : null;
  macs = new WeakMap();
}

/** node:buffer's `Buffer`, as far as core uses it. */
type NodeBytes = Uint8Array & { toString(encoding: 'base64url'): string };

/**
 * Canonical base64url decoding on node:buffer where the runtime has it (several times faster than
 * a JavaScript loop on a token's payload), else null. Node's decoder skips what it cannot read, so
 * only a canonical string survives the round trip back.
 */
export const nativeBase64url: ((text: string) => Uint8Array | null) | null = (() => {
  try {
    const mod = (globalThis as Runtime).process?.getBuiltinModule?.('node:buffer') as
      | Record<string, unknown>
      | undefined;
    const bytesOf = mod?.Buffer as
      | { from(text: string, encoding: 'base64url'): NodeBytes }
      | undefined;
    if (typeof bytesOf?.from !== 'function') return null;
    return (text: string) => {
      const bytes = bytesOf.from(text, 'base64url');
      if (bytes.toString('base64url') !== text) return null;
      // A plain view of the same bytes: callers get a Uint8Array, not a Buffer with its own methods.
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
  } catch {
    return null;
  }
})();
