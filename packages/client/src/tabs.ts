import type { Settings } from './options.ts';

/** What the tabs of one app tell each other over the BroadcastChannel. */
export type Message =
  | { type: 'refreshed'; expiresAt: number | null; life: number | null; csrf: string | null }
  | { type: 'expired' | 'loggedOut'; code: string | null }
  | { type: 'active' }
  | { type: 'doubt'; since: number };

/** The other tabs: the channel, the refresh lock and the record of the last refresh. */
export interface Tabs {
  /** Tells the other tabs (nothing without a channel). */
  post(message: Message): void;
  /** Hears the other tabs. */
  listen(handler: (message: Message) => void): void;
  /** Whether a channel is open (there is something to {@link Tabs.settle}). */
  readonly shared: boolean;
  /** Lets a message another tab posted just now land. */
  settle(): Promise<void>;
  /** The refreshes recorded in the lock manager now (see {@link Tabs.record}). */
  marks(): Promise<string[]>;
  /** The expiry and lifetime of a refresh recorded in `after` but not in `before`, if any. */
  landed(before: string[], after: string[]): [number, number | null] | undefined;
  /** Records this tab's refresh in the lock manager, replacing its previous record. */
  record(expiresAt: number, life: number | null): Promise<void>;
  /** Runs `inside` holding the refresh lock, or without it past the lock timeout. */
  exclusive<T>(inside: () => Promise<T>): Promise<T>;
  /** Closes the channel and releases this tab's record. */
  close(): void;
}

const tick = () =>
  new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });

/** Opens the channel of {@link Settings.name}; with a null name the tab acts alone. */
export function openTabs(settings: Settings): Tabs {
  const { name, locks, later, cancel, lockTimeout } = settings;
  const channel =
    name !== null && typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
  // Node's channel would keep the process alive.
  (channel as { unref?: () => void } | null)?.unref?.();

  // A refresh is also recorded in the lock manager: the tab that refreshed holds a lock named after
  // the new expiry (until its next refresh), taken before it releases the refresh lock. A message
  // can land after the next tab gets the refresh lock; this name cannot.
  const mark = `${name}:done:`;
  let unmark: (() => void) | undefined;

  return {
    post: (message) => channel?.postMessage(message),
    listen(handler) {
      channel?.addEventListener('message', (event: MessageEvent<Message>) => handler(event.data));
    },
    shared: channel !== null,
    // A MessageChannel task, which fake clocks leave alone.
    settle: tick,
    async marks() {
      return ((locks?.query && (await locks.query()).held) || [])
        .map((lock) => lock.name ?? '')
        .filter((lock) => lock.startsWith(mark));
    },
    landed(before, after) {
      const newer = after.find((lock) => !before.includes(lock));
      if (newer === undefined) return undefined;
      const [at, lifetime] = newer.slice(mark.length).split(':').map(Number);
      return [at!, lifetime || null];
    },
    async record(expiresAt, life) {
      if (!locks?.query) return;
      const previous = unmark;
      await new Promise<void>((granted) => {
        void locks.request(`${mark}${expiresAt}:${life}:${Math.random()}`, {}, () => {
          granted();
          previous?.();
          return new Promise<void>((release) => {
            unmark = release;
          });
        });
      });
    },
    async exclusive(inside) {
      if (locks === null) return inside();
      const abort = new AbortController();
      const stop = later(() => abort.abort(), lockTimeout);
      try {
        return await locks.request(`${name}:refresh`, { signal: abort.signal }, () => {
          cancel(stop);
          return inside();
        });
      } catch (error) {
        // An orphaned lock never deadlocks: past the timeout, refresh anyway (the server's reuse
        // window makes a concurrent refresh idempotent).
        if (abort.signal.aborted) return inside();
        throw error;
      } finally {
        cancel(stop);
      }
    },
    close() {
      unmark?.();
      channel?.close();
    },
  };
}
