import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionManager, SessionRecord } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { benchManager, forgeSignature, USER } from '../fixtures.ts';
import { openStore, type Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { withOpenTelemetry } from './otel.ts';

/** Request headers that authenticate as {@link USER}, and a forged variant that must not. */
export interface Credentials {
  readonly valid: Readonly<Record<string, string>>;
  readonly forged: Readonly<Record<string, string>>;
}

/** What a framework module builds for one contender, inside the server process. */
export interface Built {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** The headers to send, known once the server listens at `origin` (some peers log in first). */
  credentials(origin: string): Promise<Credentials>;
  close(): Promise<void>;
}

/** The body every contender's `GET /me` answers with. */
export const ME = { user: USER } as const;

export const UNAUTHORIZED = { error: 'unauthorized' } as const;

/**
 * What the floors (bare, no-op, Redis read) are sent: the very request the bearer contenders send,
 * ignored. A 300-character token costs the client, the kernel and the HTTP parser whoever checks
 * it, so the floors carry it too and a ratio to them isolates the cost of checking it.
 */
export async function floorCredentials(): Promise<Credentials> {
  return bearer(await mintAccessToken());
}

export const bearer = (token: string): Credentials => ({
  valid: { authorization: `Bearer ${token}` },
  forged: { authorization: `Bearer ${forgeSignature(token)}` },
});

/** A sess-issued access token, for the peers that verify JWTs: same key, same claims. */
export async function mintAccessToken(): Promise<string> {
  const issued = await benchManager(memoryStore(), 'jwt').create(USER);
  return issued.accessToken!;
}

/** A session record as sess stores it, for the floor that reads one from Redis. */
export async function sampleRecord(): Promise<SessionRecord> {
  const store = memoryStore();
  const { session } = await benchManager(store, 'database').create(USER, {
    request: { userAgent: 'autocannon', ip: '127.0.0.1' },
  });
  return (await store.get(session.id))!;
}

/**
 * A session manager for a sess contender, configured as an application would: the jwt strategy
 * keeps its revocation state in Redis, the database strategy its sessions in the named store.
 */
export async function sessFor(
  kind: ContenderKind,
  services: Services,
  name: string,
): Promise<{ sess: SessionManager; credentials: Credentials; close(): Promise<void> }> {
  const storeKind =
    kind === 'sess-db-postgres' ? 'postgres' : kind === 'sess-db-sqlite' ? 'sqlite' : 'redis';
  const store = await openStore(storeKind, services, name);
  const jwt = kind === 'sess-jwt' || kind === 'sess-jwt-otel';
  const otel = kind === 'sess-jwt-otel' ? withOpenTelemetry(store) : null;
  const sess = benchManager(otel?.store ?? store, jwt ? 'jwt' : 'database');
  otel?.instrument(sess);
  const issued = await sess.create(USER);
  let credentials: Credentials;
  if (jwt) {
    credentials = bearer(issued.accessToken!);
  } else {
    const cookie = (credential: string) => ({
      cookie: `${sess.cookies.names.session}=${credential}`,
    });
    credentials = {
      valid: cookie(issued.credential),
      forged: cookie(forgeSignature(issued.credential)),
    };
  }
  return {
    sess,
    credentials,
    close: async () => {
      sess.close();
      await store.close();
    },
  };
}
