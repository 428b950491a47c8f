import { randomBytes } from 'node:crypto';
import {
  createSessionManager,
  type SessEventMap,
  type SessEventName,
  type Strategy,
} from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { Actor, CLIENT_MODES, type ClientMode } from './actor.ts';
import { type GuaranteeApp, managerOptions, type Overrides, startGuaranteeApp } from './app.ts';
import { TestClock } from './clock.ts';
import type { Device } from './wire.ts';

/** Every strategy, in matrix order. */
export const STRATEGIES: readonly Strategy[] = ['database', 'jwt', 'hybrid'];

/** One row of a family's table: a strategy, a client mode, and the family's own columns. */
export type Row<T extends object = object> = T & { strategy: Strategy; mode: ClientMode };

/**
 * The cross product strategy × client mode × each of `variants` (the family's own columns), as
 * rows for `describe.each` / `it.each` with `$strategy`, `$mode` and the variant's fields in the
 * title.
 */
export function rows<T extends object>(
  variants: readonly T[] = [{} as T],
  options: { strategies?: readonly Strategy[]; modes?: readonly ClientMode[] } = {},
): Row<T>[] {
  const out: Row<T>[] = [];
  for (const variant of variants)
    for (const strategy of options.strategies ?? STRATEGIES)
      for (const mode of options.modes ?? CLIENT_MODES) out.push({ ...variant, strategy, mode });
  return out;
}

/** One sess event as it was emitted. */
export type Emitted = {
  [E in SessEventName]: { name: E; payload: SessEventMap[E] };
}[SessEventName];

/** What a cell works with: its own app, its actors, and every sess event in order. */
export interface Cell {
  readonly app: GuaranteeApp;
  readonly mode: ClientMode;
  readonly events: Emitted[];
  /** A new device in the cell's client mode (or another mode). */
  actor(options?: { mode?: ClientMode; device?: Device }): Actor;
  /** The actor's page reloaded (or its service restarted): see {@link Actor.reload}. */
  reload(actor: Actor): Actor;
  /** Events of one name. */
  emitted<E extends SessEventName>(name: E): SessEventMap[E][];
}

/**
 * Runs `body` against a fresh app (memory store, frozen clock) in `strategy` with `overrides`, and
 * closes every actor and the app afterwards.
 */
export async function inCell(
  row: { strategy: Strategy; mode: ClientMode },
  overrides: Overrides | undefined,
  body: (cell: Cell) => Promise<void>,
  options: { storeLatency?: boolean } = {},
): Promise<void> {
  const app = await startGuaranteeApp({
    strategy: row.strategy,
    overrides: overrides ?? {},
    storeLatency: options.storeLatency ?? false,
  });
  const actors: Actor[] = [];
  const events: Emitted[] = [];
  // Every event core emits: metrics() counts each name, so the list cannot fall behind core's.
  for (const name of Object.keys(app.sess.metrics().events) as SessEventName[]) {
    app.sess.on(name, (payload) => events.push({ name, payload } as Emitted));
  }
  const cell: Cell = {
    app,
    mode: row.mode,
    events,
    actor(options = {}) {
      const actor = new Actor(app, options.mode ?? row.mode, options.device);
      actors.push(actor);
      return actor;
    },
    reload(actor) {
      const next = actor.reload();
      actors.push(next);
      return next;
    },
    emitted: <E extends SessEventName>(name: E) =>
      events.filter((e) => e.name === name).map((e) => e.payload as SessEventMap[E]),
  };
  try {
    await body(cell);
  } finally {
    for (const actor of actors) actor.close();
    await app.close();
  }
}

/** What a refused configuration threw: its code and message, or null when nothing was thrown. */
export function startupRefusal(
  strategy: Strategy,
  overrides: Overrides,
): { code: string; message: string } | null {
  const clock = new TestClock();
  const keys = {
    secret: randomBytes(32).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
  };
  try {
    const sess = createSessionManager(
      managerOptions(
        strategy,
        'https://app.example.com',
        clock,
        memoryStore({ clock }),
        keys,
        overrides,
      ),
    );
    sess.close();
    return null;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: String(code), message: String(message) };
  }
}
