import type { RequestLike } from '../../src/request.ts';

/** A request view over Web `Headers` (which satisfies RequestLike as bindings get it from fetch). */
export function request(method: string, headers: Record<string, string> = {}): RequestLike {
  return { method, headers: new Headers(headers) };
}

/** A 32-byte key with a fixed pattern; tests need determinism, not secrecy. */
export function testKey(fill = 7): Uint8Array {
  return new Uint8Array(32).fill(fill);
}
