import { randomBytes } from 'node:crypto';
import type { ClientEventName, ClientEvents, LockManagerLike, SessClient } from '@sess/client';

/** One request as it left for the server. */
export interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: string | null;
  readonly credentials: RequestCredentials | undefined;
}

/**
 * What a browser adds to fetch, for Node: a cookie jar (honouring `Max-Age=0`) and the page's
 * `Origin`, for requests to `origin`. Requests elsewhere are recorded and answered `{}` without
 * leaving the process. Every request is recorded in `sent`.
 */
export function browserFetch(origin: string) {
  const cookies = new Map<string, string>();
  const sent: Sent[] = [];
  const fetcher: typeof fetch = async (input, init = {}) => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    const own = url.origin === new URL(origin).origin;
    if (own) {
      headers.set('origin', origin);
      if (cookies.size > 0) {
        headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
      }
    }
    sent.push({
      method: init.method ?? 'GET',
      path: url.pathname,
      headers,
      body: typeof init.body === 'string' ? init.body : null,
      credentials: init.credentials,
    });
    if (!own) return new Response('{}', { headers: { 'content-type': 'application/json' } });
    const res = await fetch(url, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=', 2);
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  return { fetch: fetcher, cookies, sent };
}

/** Node's own fetch, recording what it sends (a non-browser client: no Origin, no cookies). */
export function recordingFetch() {
  const sent: Sent[] = [];
  const fetcher: typeof fetch = (input, init = {}) => {
    sent.push({
      method: init.method ?? 'GET',
      path: new URL(String(input)).pathname,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : null,
      credentials: init.credentials,
    });
    return fetch(input, init);
  };
  return { fetch: fetcher, sent };
}

/** A frozen clock with manual timers: time moves only when a test says so. */
export function frozenTime(start = Date.now()) {
  let time = start;
  let ids = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => time,
    setTimeout: (fn: () => void, ms: number): unknown => {
      timers.set(++ids, { at: time + ms, fn });
      return ids;
    },
    clearTimeout: (id: unknown) => {
      timers.delete(id as number);
    },
    /** How far ahead each pending timer is, in ms. */
    pending: (): number[] => [...timers.values()].map((t) => t.at - time),
    /** Moves the clock without running any timer (a process that was asleep). */
    jump(ms: number) {
      time += ms;
    },
    /** Moves the clock and runs each timer that falls due. */
    advance(ms: number) {
      time += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= time) {
          timers.delete(id);
          timer.fn();
        }
      }
    },
  };
}

/**
 * Web Locks for tabs living in one Node process: an exclusive FIFO lock per name, with `signal`
 * abandoning a wait, and `query()` listing the held locks (answering after `queryMs`, so that a
 * message can land meanwhile). `hold()` takes a lock and never lets go (an orphaned lock).
 */
export function memoryLocks(queryMs = 0) {
  const queues = new Map<string, Promise<unknown>>();
  const held: string[] = [];
  const locks: LockManagerLike & { hold(name: string): void } = {
    request(name, options, callback) {
      const before = queues.get(name) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      queues.set(
        name,
        before.then(() => mine),
      );
      return new Promise((resolve, reject) => {
        let aborted = false;
        options.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(options.signal?.reason);
        });
        void before.then(async () => {
          if (aborted) return release();
          held.push(name);
          try {
            resolve(await callback({ name }));
          } catch (error) {
            reject(error);
          } finally {
            held.splice(held.indexOf(name), 1);
            release();
          }
        });
      });
    },
    async query() {
      await new Promise((resolve) => setTimeout(resolve, queryMs));
      return { held: held.map((name) => ({ name })) };
    },
    hold(name) {
      queues.set(name, new Promise(() => {}));
    },
  };
  return locks;
}

/** A channel name no other test uses. */
export const channelName = (): string => `sess-test-${randomBytes(4).toString('hex')}`;

/** Resolves with the first payload of the event `name`. */
export function next<E extends ClientEventName>(
  client: SessClient,
  name: E,
): Promise<ClientEvents[E]> {
  return new Promise((resolve) => {
    const off = client.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}
