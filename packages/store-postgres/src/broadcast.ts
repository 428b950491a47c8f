import type { Logger, RevocationEvent } from '@sess/core';
import pg from 'pg';
import { errorCode } from './pool.ts';

/** Backoff of the LISTEN connection's reconnects. */
export interface ReconnectOptions {
  /**
   * The delay before the second attempt; it doubles with each failure after that (the first
   * attempt after a lost connection is immediate). Each delay is jittered down by up to half.
   * @default 100
   */
  minDelayMs?: number;
  /**
   * The longest delay between attempts.
   * @default 5000
   */
  maxDelayMs?: number;
}

type Listener = (event: RevocationEvent) => void;

/**
 * LISTEN on a dedicated client (never one from the pool, where a LISTEN would be lost or leak to
 * other queries). Connected while anyone subscribes; after an error or an end it reconnects with
 * backoff and LISTENs again. Notifications sent while it is down are missed: caches then fall back
 * to their staleness bound, as with a store that cannot broadcast.
 */
export class Broadcast {
  readonly #entries = new Set<{ listener: Listener }>();
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #logger: Logger;
  readonly #minDelay: number;
  readonly #maxDelay: number;
  #client: pg.Client | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #connecting: Promise<void> | null = null;
  readonly #ending = new Set<Promise<void>>();

  constructor(config: pg.ClientConfig, channel: string, logger: Logger, delays: ReconnectOptions) {
    this.#config = config;
    this.#channel = channel;
    this.#logger = logger;
    this.#minDelay = delays.minDelayMs ?? 100;
    this.#maxDelay = delays.maxDelayMs ?? 5_000;
  }

  add(listener: Listener): () => void {
    const entry = { listener };
    this.#entries.add(entry);
    if (this.#client === null && this.#timer === undefined) this.#connect();
    return () => {
      if (this.#entries.delete(entry) && this.#entries.size === 0) this.#stop();
    };
  }

  /**
   * Settles once the connection attempt in flight (if any) has LISTENed or failed. Writers await it
   * so that a subscriber sees every revocation this store writes after `subscribe()` returned.
   */
  ready(): Promise<void> {
    return this.#connecting ?? Promise.resolve();
  }

  /** Ends the connection (and any pending reconnect); resolves once the client has ended. */
  async close(): Promise<void> {
    this.#entries.clear();
    this.#stop();
    await Promise.all(this.#ending);
  }

  #connect(): void {
    const client = new pg.Client(this.#config);
    this.#client = client;
    const lost = (error?: unknown): void => this.#lost(client, error);
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === this.#channel) this.#deliver(message.payload);
    });
    const attempt = client
      .connect()
      .then(() => client.query(`LISTEN "${this.#channel}"`))
      .then(() => {
        if (this.#client === client) this.#failures = 0;
      }, lost)
      .finally(() => {
        if (this.#connecting === attempt) this.#connecting = null;
      });
    this.#connecting = attempt;
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return; // stopped, or already replaced
    this.#client = null;
    this.#end(client);
    const attempt = this.#failures++;
    this.#logger.warn('postgresStore: the LISTEN connection was lost; reconnecting', {
      error: error === undefined ? 'ended' : errorCode(error),
      attempt,
    });
    const backoff = Math.min(this.#maxDelay, this.#minDelay * 2 ** (attempt - 1));
    const delay = attempt === 0 ? 0 : backoff * (0.5 + Math.random() / 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect();
    }, delay);
    this.#timer.unref(); // a pending reconnect alone never keeps the process alive
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#failures = 0;
    this.#connecting = null;
    const client = this.#client;
    this.#client = null;
    if (client) this.#end(client);
  }

  #end(client: pg.Client): void {
    const ended = client.end().catch((error: unknown) => {
      this.#logger.warn('postgresStore: closing the LISTEN connection failed', {
        error: errorCode(error),
      });
    });
    this.#ending.add(ended);
    void ended.finally(() => this.#ending.delete(ended));
  }

  #deliver(payload: string | undefined): void {
    let event: RevocationEvent | undefined;
    try {
      event = toEvent(JSON.parse(payload ?? ''));
    } catch (error) {
      this.#logger.warn('postgresStore: ignored a notification that is not JSON', {
        error: errorCode(error),
      });
      return;
    }
    if (event === undefined) {
      this.#logger.warn('postgresStore: ignored a notification that is not a revocation', {
        channel: this.#channel,
      });
      return;
    }
    for (const { listener } of [...this.#entries]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not stop delivery to the others, nor break the connection.
        this.#logger.error('postgresStore: a revocation listener threw', {
          error: errorCode(error),
        });
      }
    }
  }
}

// Anyone allowed to NOTIFY can write to the channel: only well-formed revocations get through.
function toEvent(value: unknown): RevocationEvent | undefined {
  const e = value as Record<string, unknown> | null;
  if (e?.type === 'deny' && typeof e.key === 'string' && Number.isFinite(e.expiresAt)) {
    return Object.freeze({ type: 'deny', key: e.key, expiresAt: e.expiresAt as number });
  }
  if (e?.type === 'not-before' && typeof e.scope === 'string' && Number.isFinite(e.at)) {
    return Object.freeze({ type: 'not-before', scope: e.scope, at: e.at as number });
  }
  return undefined;
}
