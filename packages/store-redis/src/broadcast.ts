import { randomBytes } from 'node:crypto';
import { type Logger, type RevocationEvent, StoreError } from '@sess/core';
import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './client.ts';
import { codeOf, type OutageLog } from './outage-log.ts';

type Listener = (event: RevocationEvent) => void;

/** Revocation broadcast over pub/sub: local fan-out plus one lazily opened subscriber connection. */
export interface Broadcast {
  /** The JSON of a message up to its final number, which the RAISE script appends with the `}`. */
  head(type: RevocationEvent['type'], subject: string): string;
  /** Hands an event written by this store to its own listeners at once. */
  deliver(event: RevocationEvent): void;
  subscribe(listener: Listener): () => void;
  close(): void;
}

// The subscriber waits for the server as long as it takes (no command timeout, no retry limit):
// it only ever sends SUBSCRIBE, and ioredis re-subscribes after every reconnect.
function subscriberFor(client: Redis | Cluster): Redis | Cluster {
  if (isCluster(client)) return client.duplicate();
  return client.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  });
}

/** A broadcast message: the event and the store instance that sent it; null when malformed. */
function parse(message: string): { origin: string; event: RevocationEvent } | null {
  const m = JSON.parse(message) as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || typeof m.origin !== 'string') return null;
  if (m.type === 'deny' && typeof m.key === 'string' && typeof m.expiresAt === 'number') {
    return { origin: m.origin, event: { type: 'deny', key: m.key, expiresAt: m.expiresAt } };
  }
  if (m.type === 'not-before' && typeof m.scope === 'string' && typeof m.at === 'number') {
    return { origin: m.origin, event: { type: 'not-before', scope: m.scope, at: m.at } };
  }
  return null;
}

/**
 * The broadcast of one store. Connection errors of the subscriber count into `outage`; a listener
 * that throws and a malformed message go to `logger`, by code only.
 */
export function createBroadcast(
  client: Redis | Cluster,
  channel: string,
  logger: Logger,
  outage: OutageLog,
): Broadcast {
  // Messages carry the origin so this store skips its own echo: it delivered those already.
  const origin = randomBytes(9).toString('base64url');
  const listeners = new Set<Listener>();
  let subscriber: Redis | Cluster | null = null;
  let closed = false;

  const deliver = (event: RevocationEvent): void => {
    Object.freeze(event);
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One listener's bug must neither reach Redis' socket nor skip the others.
        logger.error('redisStore: a revocation listener threw', { error: codeOf(error) });
      }
    }
  };

  const onMessage = (from: string, message: string): void => {
    if (from !== channel) return;
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(message);
    } catch (error) {
      logger.warn('redisStore: ignored a revocation broadcast that is not JSON', {
        error: codeOf(error),
      });
      return;
    }
    if (!parsed) logger.warn('redisStore: ignored a broadcast that is not a revocation');
    else if (parsed.origin !== origin) deliver(parsed.event);
  };

  const open = (): Redis | Cluster => {
    const connection = subscriberFor(client);
    const current = (): boolean => subscriber === connection;
    connection.on('message', onMessage);
    connection.on('error', (error: unknown) => outage.failed(error));
    connection.on('end', () => {
      if (!current()) return;
      logger.error(
        'redisStore: the revocation subscriber stopped reconnecting; revocations from other instances no longer arrive',
      );
    });
    connection.subscribe(channel).catch((error: unknown) => {
      if (current()) outage.failed(error); // after close() the rejection is our own doing
    });
    return connection;
  };

  const disconnect = (): void => {
    const connection = subscriber;
    subscriber = null;
    connection?.disconnect();
  };

  return {
    head: (type, subject) =>
      type === 'deny'
        ? `{"origin":"${origin}","type":"deny","key":${JSON.stringify(subject)},"expiresAt":`
        : `{"origin":"${origin}","type":"not-before","scope":${JSON.stringify(subject)},"at":`,
    deliver,
    subscribe(listener) {
      if (closed) throw new StoreError('subscribe', { reason: 'closed' });
      // A wrapper per call, so subscribing the same function twice needs two unsubscribes.
      const entry: Listener = (event) => listener(event);
      listeners.add(entry);
      subscriber ??= open();
      return () => {
        if (!listeners.delete(entry)) return;
        if (listeners.size === 0) disconnect();
      };
    },
    close() {
      closed = true;
      listeners.clear();
      disconnect();
    },
  };
}
