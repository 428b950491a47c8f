import { type SessionRecord, type SessionStore, wrapStore } from '@sess/core';

/** A store whose next `update` of one session id can be held; see {@link gatedStore}. */
export interface GatedStore {
  readonly store: SessionStore;
  /** Holds the next update of `id`; resolves `reached` when the manager gets there. */
  hold(id: string): { reached: Promise<void>; release: () => void };
  /** What the last held update returned, once it has run; `null` before. */
  lastGatedResult(): boolean | null;
}

/**
 * A store wrapper whose `update` can be held for one session id: the manager has read the record
 * and decided to write; the kit then revokes, rotates or logs out, and lets the write through.
 */
export function gatedStore(inner: SessionStore): GatedStore {
  let gate: { id: string; reached: () => void; release: Promise<void> } | null = null;
  let lastGatedResult: boolean | null = null;
  const store = wrapStore(inner, (operation, args, call) => {
    const held = gate;
    if (operation !== 'update' || held === null || (args[0] as SessionRecord).id !== held.id) {
      return call();
    }
    gate = null;
    held.reached();
    return (async () => {
      await held.release;
      const result = await call();
      lastGatedResult = result as boolean;
      return result;
    })();
  });
  return {
    store,
    hold(id) {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const releasePromise = new Promise<void>((resolve) => {
        release = resolve;
      });
      lastGatedResult = null;
      gate = { id, reached, release: releasePromise };
      return {
        reached: reachedPromise,
        release: () => {
          gate = null;
          release();
        },
      };
    },
    lastGatedResult: () => lastGatedResult,
  };
}
