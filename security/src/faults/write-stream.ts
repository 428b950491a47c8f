import { randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from '@sess/core';
import type { StoreReadback, StoreWrite } from './checker.ts';
import { now } from './history.ts';

const id = () => randomBytes(12).toString('base64url');

function record(at: number): SessionRecord {
  return {
    id: id(),
    userId: `stream-${id()}`,
    secretHash: randomBytes(32).toString('hex'),
    prevSecretHash: null,
    retiredSecretHashes: [],
    rotatedAt: null,
    generation: 0,
    createdAt: at,
    authenticatedAt: at,
    lastActiveAt: at,
    idleExpiresAt: at + 3_600_000,
    absoluteExpiresAt: at + 8 * 3_600_000,
    expiresAt: at + 3_600_000,
    sessionClass: 'standard',
    version: 1,
    data: {},
    meta: { userAgent: null, ip: null, createdFrom: null },
  };
}

/**
 * Writes streamed straight to a store while faults happen, beside the HTTP traffic: revocations
 * (`deny`), creations (`create`) and rotations (`update`, version + 1), one after the other per
 * worker, each recorded with its answer. `readback` then reads every subject again, for
 * {@link checkStoreWrites}: an acknowledged write that is gone was undone by the failover.
 */
export class WriteStream {
  readonly writes: StoreWrite[] = [];
  readonly #store: SessionStore;
  readonly #live: SessionRecord[] = [];
  #running = false;
  #loops: Promise<void>[] = [];
  #seq = 0;

  constructor(store: SessionStore) {
    this.#store = store;
  }

  start(workers = 4): void {
    this.#running = true;
    this.#loops = Array.from({ length: workers }, (_, w) => this.#loop(w));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  async #loop(worker: number): Promise<void> {
    for (let round = 0; this.#running; round++) {
      const kind = (['revocation', 'creation', 'rotation'] as const)[(round + worker) % 3]!;
      let failed = false;
      if (kind === 'revocation') {
        const key = `stream:${id()}`;
        failed = !(await this.#write(kind, key, undefined, () =>
          this.#store.deny(key, Date.now() + 3_600_000),
        ));
      } else if (kind === 'creation' || this.#live.length === 0) {
        const r = record(Date.now());
        if (await this.#write('creation', r.id, 1, () => this.#store.create(r))) {
          this.#live.push(r);
        } else failed = true;
      } else {
        const at = Math.floor(Math.random() * this.#live.length);
        const current = this.#live[at]!;
        const next = { ...current, version: current.version + 1, lastActiveAt: Date.now() };
        // Taken out while in flight, so that no two workers rotate one session at once.
        this.#live.splice(at, 1);
        const ok = await this.#write('rotation', next.id, next.version, async () => {
          if (!(await this.#store.update(next, current.version))) {
            throw new Error('stream: compare-and-set refused'); // counted as not acknowledged
          }
        });
        this.#live.push(ok ? next : current);
        failed = !ok;
      }
      // After a failure (a 503 in an app) back off a little, as clients do.
      await new Promise((resolve) => setTimeout(resolve, failed ? 20 : 1));
    }
  }

  async #write(
    kind: StoreWrite['kind'],
    subject: string,
    version: number | undefined,
    write: () => Promise<unknown>,
  ): Promise<boolean> {
    const start = now();
    const acknowledged = await write().then(
      () => true,
      () => false,
    );
    this.writes.push({
      seq: this.#seq++,
      kind,
      subject,
      ...(version === undefined ? {} : { version }),
      start,
      end: now(),
      acknowledged,
    });
    return acknowledged;
  }

  /** Reads back every subject of an acknowledged write (retrying reads that fail, for up to 20 s). */
  async readback(): Promise<StoreReadback> {
    const denied = new Set<string>();
    const versions = new Map<string, number | null>();
    const retry = async <T>(read: () => Promise<T>): Promise<T> => {
      for (const deadline = Date.now() + 20_000; ; ) {
        try {
          return await read();
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const subjects = new Map<string, StoreWrite['kind']>();
    for (const w of this.writes) if (w.acknowledged) subjects.set(w.subject, w.kind);
    const entries = [...subjects];
    for (let i = 0; i < entries.length; i += 50) {
      await Promise.all(
        entries.slice(i, i + 50).map(async ([subject, kind]) => {
          if (kind === 'revocation') {
            if (await retry(() => this.#store.isDenied(subject))) denied.add(subject);
          } else {
            const stored = await retry(() => this.#store.get(subject));
            versions.set(subject, stored?.version ?? null);
          }
        }),
      );
    }
    return { denied, versions };
  }
}
