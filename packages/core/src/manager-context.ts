import { AnomalyDetector } from './anomalies.ts';
import type { ResolvedConfig, ResolvedSessionClass } from './config.ts';
import { ConfigError } from './errors.ts';
import { defaultLogger, EventHub } from './events.ts';
import { type GuardedStore, guardStore } from './guarded-store.ts';
import { RevocationCache } from './revocation-cache.ts';

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
    const { stalenessMs, maxCacheEntries, clock } = config;
    const cache = new RevocationCache(store, stalenessMs, maxCacheEntries, clock);
    return new ManagerContext(
      config,
      store,
      events,
      cache,
      new AnomalyDetector(config.anomalies, events),
    );
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
