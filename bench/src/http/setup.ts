import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionManager, SessionStore } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { benchManager, forgeSignature, TOUCH_INTERVAL_MS, USER } from '../fixtures.ts';
import { MIX, type MixName, pooled, userOf } from '../mixes.ts';
import { openStore, type Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { withOpenTelemetry } from './otel.ts';

/**
 * The credentials a contender is driven with: one request header, one value per user of the mix,
 * made before the server listens (sessions created, tokens signed, cookies set).
 */
export interface CredentialSet {
  readonly header: 'authorization' | 'cookie';
  /** `values[i]` authenticates as `userOf(mix, i)`. */
  readonly values: readonly string[];
  /** A value that must be refused: `values[0]` with one signature character changed. */
  readonly forged: string;
}

/** What a framework module builds for one contender, inside the server process. */
export interface Built {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  readonly credentials: CredentialSet;
  /** The session manager of a sess contender, whose metrics give hit rates and store calls. */
  readonly sess?: SessionManager;
  close(): Promise<void>;
}

/**
 * The clock of a database-strategy contender: wall time while the server is under load, stopped
 * between its runs (the suite says when). A server in production sees its sessions come due for
 * their touch (a store write) at one per session per touch interval of its own traffic; measured
 * in turns with a dozen other contenders, on the wall clock they would come due a dozen times as
 * often per request it serves. Expiry stays far away: the clock falls behind the wall clock by the
 * other contenders' minutes, never by the 30-minute idle timeout.
 */
export const loadClock = {
  stoppedAt: null as number | null,
  behind: 0,
  now(): number {
    return (this.stoppedAt ?? Date.now()) - this.behind;
  },
  stop(): void {
    this.stoppedAt ??= Date.now();
  },
  start(): void {
    if (this.stoppedAt === null) return;
    this.behind += Date.now() - this.stoppedAt;
    this.stoppedAt = null;
  },
};

/**
 * Credentials made by another process of the same contender, set before the app is built: a sess
 * contender then creates no sessions and hands these back, so two processes serve the same users
 * from the same store data (the pair suite). Null: make the fixtures.
 */
export const sharedFixtures = { credentials: null as CredentialSet | null };

/** The body the bare and no-op routes answer with: they read no credential. */
export const ME = { user: USER } as const;

export const UNAUTHORIZED = { error: 'unauthorized' } as const;

/** Concurrent creations while fixtures are made: a busy server's worth. */
const FIXTURE_WIDTH = 64;
/** Distinct ages of the sessions a sess contender starts with. */
const AGES = 16;

/** `Bearer` headers for `tokens`, the first one forged. */
export const bearers = (tokens: readonly string[]): CredentialSet => ({
  header: 'authorization',
  values: tokens.map((token) => `Bearer ${token}`),
  forged: `Bearer ${forgeSignature(tokens[0]!)}`,
});

/**
 * sess-issued access tokens, one per user of `mix`, for the peers that verify JWTs (same key, same
 * claims) and for the bare and no-op floors: a 300-character token costs the client, the kernel and
 * the HTTP parser whoever checks it, so the floors carry the same header and a ratio to them
 * isolates the cost of checking it.
 */
export async function mintAccessTokens(mix: MixName): Promise<CredentialSet> {
  const sess = benchManager(memoryStore(), 'jwt');
  const tokens: string[] = new Array(MIX[mix].users);
  await pooled(tokens.length, FIXTURE_WIDTH, async (i) => {
    tokens[i] = (await sess.create(userOf(mix, i))).accessToken!;
  });
  sess.close();
  return bearers(tokens);
}

/**
 * A session manager for a sess contender, configured as an application would (the jwt strategy
 * keeps its revocation state in Redis, the database strategy its sessions in the named store),
 * with one session per user of `mix` created through it.
 */
export async function sessFor(
  kind: ContenderKind,
  services: Services,
  name: string,
  mix: MixName,
): Promise<{ sess: SessionManager; credentials: CredentialSet; close(): Promise<void> }> {
  const storeKind =
    kind === 'sess-db-postgres' ? 'postgres' : kind === 'sess-db-sqlite' ? 'sqlite' : 'redis';
  const store = await openStore(storeKind, services, name);
  const jwt = kind === 'sess-jwt' || kind === 'sess-jwt-otel';
  const otel = kind === 'sess-jwt-otel' ? withOpenTelemetry(store) : null;
  const strategy = jwt ? 'jwt' : 'database';
  const clock = jwt ? undefined : { now: () => loadClock.now() };
  const sess = benchManager(otel?.store ?? store, strategy, clock ? { clock } : {});
  otel?.instrument(sess);
  const credentials =
    sharedFixtures.credentials ?? (await issueFixtures(sess, store, strategy, mix));
  return {
    sess,
    credentials,
    close: async () => {
      await sess.close();
      await store.close();
    },
  };
}

/** One session per user of `mix`, created on `store` at spread ages; their credentials. */
async function issueFixtures(
  sess: SessionManager,
  store: SessionStore,
  strategy: 'jwt' | 'database',
  mix: MixName,
): Promise<CredentialSet> {
  const jwt = strategy === 'jwt';
  // Database sessions made at ages spread over one touch interval, as a server's users are: each
  // comes due for its touch (a store write) at its own time, instead of all together three minutes
  // into the run. (The jwt strategy writes nothing on validation; its tokens are made now, so they
  // outlive a long run.)
  const makers = Array.from({ length: jwt ? 1 : AGES }, (_, age) => {
    const ago = Math.round((age * TOUCH_INTERVAL_MS) / AGES);
    return benchManager(store, strategy, { clock: { now: () => loadClock.now() - ago } });
  });
  const issued: string[] = new Array(MIX[mix].users);
  await pooled(issued.length, FIXTURE_WIDTH, async (i) => {
    const created = await makers[i % makers.length]!.create(userOf(mix, i));
    issued[i] = jwt ? created.accessToken! : created.credential;
  });
  for (const maker of makers) maker.close();
  const cookie = (credential: string) => `${sess.cookies.names.session}=${credential}`;
  return jwt
    ? bearers(issued)
    : {
        header: 'cookie',
        values: issued.map(cookie),
        forged: cookie(forgeSignature(issued[0]!)),
      };
}
