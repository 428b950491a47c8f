import { AnomalyDetector } from './anomalies.ts';
import type { ResolvedConfig, ResolvedSessionClass } from './config.ts';
import { ConfigError } from './errors.ts';
import { defaultLogger, EventHub, type MetricsSnapshot } from './events.ts';
import { type GuardedStore, guardStore } from './guarded-store.ts';
import type { AccessTokenVerifier } from './jwt/access-verifier.ts';
import { RevocationCache } from './revocation-cache.ts';
import { type ReplicaSource, RevocationReplica } from './revocation-replica.ts';

/**
 * How long a revocation write may take from its clock reading until it is visible, beyond the
 * writers' clock skew: each replica poll reaches back this much further (re-reading is harmless).
 */
const REPLICA_WRITE_SLACK_MS = 10_000;

/**
 * What the parts of the session manager (validation, issuing, rotation, revocation) share: built
 * once by `SessionManager`, read by each part. Internal.
 */
export class ManagerContext {
  constructor(
    readonly config: ResolvedConfig,
    readonly store: GuardedStore,
    readonly events: EventHub,
    readonly cache: RevocationCache,
    readonly anomalies: AnomalyDetector,
  ) {}

  /** The context for `config`: its events, guarded store, revocation cache and anomaly detector. */
  static create(config: ResolvedConfig): ManagerContext {
    const logger = config.logger ?? defaultLogger;
    const events = new EventHub(logger);
    const store = guardStore(config.store, events, logger);
    const { stalenessMs, maxCacheEntries, clock, jwt } = config;
    const replica = config.replica
      ? new RevocationReplica(store as ReplicaSource, {
          horizonMs: watermarkHorizon(config),
          stalenessMs,
          overlapMs: (jwt?.clockSkewMs ?? 0) + REPLICA_WRITE_SLACK_MS,
        })
      : null;
    const cache = new RevocationCache(store, stalenessMs, maxCacheEntries, clock, replica);
    return new ManagerContext(
      config,
      store,
      events,
      cache,
      new AnomalyDetector(config.anomalies, events),
    );
  }

  /** `SessionManager.metrics`: the event counters, with the caches' sizes and hit counts. */
  metrics(verifier: AccessTokenVerifier | null): MetricsSnapshot {
    const { replica } = this.cache;
    return this.events.snapshot(this.cache.size, {
      accessTokens: {
        hits: verifier?.hits ?? 0,
        misses: verifier?.misses ?? 0,
        size: verifier?.size ?? 0,
      },
      revocationReplica: { size: replica?.size ?? 0, syncedAt: replica?.syncedAt ?? null },
    });
  }

  get strategy(): ResolvedConfig['strategy'] {
    return this.config.strategy;
  }

  now(): number {
    return this.config.clock.now();
  }

  /** The timeouts of a session class. */
  cls(name: string): ResolvedSessionClass {
    const cls = this.config.classes.get(name);
    if (!cls) throw new ConfigError([`sessionClass: unknown session class "${name}"`]);
    return cls;
  }
}

/**
 * How old a watermark can be and still refuse something: an access token lives its lifetime plus
 * the skew (plus the second `iat` drops); a session record, where one is checked (database,
 * hybrid), at most its class's absolute timeout.
 */
function watermarkHorizon(config: ResolvedConfig): number {
  const jwt = config.jwt;
  const tokens = jwt ? jwt.lifetimeMs + jwt.clockSkewMs + 1_000 : 0;
  if (config.strategy === 'jwt') return tokens;
  const sessions = Math.max(...[...config.classes.values()].map((cls) => cls.absoluteMs));
  return Math.max(tokens, sessions + (jwt?.clockSkewMs ?? 0) + 1_000);
}
