import type { ContenderKind } from './http/contenders.ts';
import type { Placement } from './http/placement.ts';
import type { Machine } from './machine.ts';
import type { MixName } from './mixes.ts';
import type { BenchOptions, Framework, Suite } from './options.ts';
import type { StoreKind } from './services.ts';
import type { Summary } from './stats.ts';

/** One micro-benchmark contender: operations per second over the runs. */
export interface MicroRow {
  readonly name: string;
  readonly opsPerSec: Summary;
  /** sess's verified-token cache over the runs, for the sess rows that report it. */
  readonly cache?: CacheReading;
  /** sess's store calls per validation over the runs, by operation (sess rows). */
  readonly storeCallsPerOp?: Readonly<Record<string, number>>;
  /** What exactly is measured. */
  readonly note: string;
}

/** A lifecycle operation on one store. */
export interface OpsRow {
  readonly store: StoreKind;
  readonly op: 'create' | 'refresh' | 'revoke';
  readonly concurrency: number;
  readonly opsPerSec: Summary;
}

/** Store calls made by validations below the touch threshold. */
export interface WritesRow {
  readonly strategy: string;
  readonly store: StoreKind;
  readonly validations: number;
  readonly reads: number;
  readonly writes: number;
  /** Calls per store method. */
  readonly calls: Readonly<Record<string, number>>;
}

/**
 * A ratio of two rows of the same run: the median of the ratios within each round, and their
 * spread. Of req/s measured alone, side by side in each round; for a pair the targets judge, of
 * the requests each server served per second of its own CPU time while the two ran together.
 */
export interface Comparison {
  /** The other row's id. */
  readonly to: string;
  readonly ratio: number;
  /** The ratio within each round, summarised: drift on the machine cancels within a round. */
  readonly byRound: Summary;
  /** For a pair run together (both servers on one CPU, loaded at the same moments). */
  readonly together?: {
    /**
     * The share of their CPU the two servers used in each round (1: never idle). Well below 1,
     * the load client rather than the servers set the pace.
     */
    readonly sharedCpu: Summary;
    /**
     * The ratio of their req/s in the same seconds, per round. The scheduler shares a CPU by
     * thread, not by process, so it leans towards the side that runs more threads.
     */
    readonly served: Summary;
  };
}

/** How often a row's requests were answered from a per-process cache, over its timed runs. */
export interface CacheReading {
  /** Which cache: sess's verified-token cache (the one cache on sess's hot path). */
  readonly name: string;
  readonly hits: number;
  readonly lookups: number;
  /** `hits / lookups`; null when this build of sess does not report the cache. */
  readonly hitRate: number | null;
}

/** One HTTP contender of one framework, driven by one traffic mix. */
export interface HttpRow {
  readonly framework: Framework;
  /** `<framework>/<kind>:<mix>`. */
  readonly id: string;
  readonly kind: ContenderKind;
  readonly mix: MixName;
  readonly label: string;
  readonly reqPerSec: Summary;
  /** Latency percentiles in milliseconds, summarised over the runs. */
  readonly p50: Summary;
  readonly p99: Summary;
  /** Against the bare route of the framework (measured under the first mix). */
  readonly vsBare: Comparison;
  /** Against the "one store read, no auth" floor of the row's store (database rows). */
  readonly vsFloor: Comparison | null;
  /** Against the peer library a user would pick instead, on the same mix. */
  readonly vsPeer: Comparison | null;
  /** An instrumented route against the same route without it (see `Contender.twin`). */
  readonly vsTwin: Comparison | null;
  /** Null where the route has no cache (peers, floors, sess's database strategy). */
  readonly cache: CacheReading | null;
  /** sess's store calls per request by operation, over the timed runs; null for the others. */
  readonly storeCallsPerRequest: Readonly<Record<string, number>> | null;
  /**
   * The server process's CPU time per request served, microseconds, per timed run: the cost of a
   * request to the server alone, which the load generator's share of the cores does not blur.
   */
  readonly cpuPerRequest?: Summary;
}

/** One contender on one server process, then on two sharing its Redis data (the pair suite). */
export interface PairRow {
  /** `<framework>/<kind>:<mix>`. */
  readonly id: string;
  readonly label: string;
  readonly mix: MixName;
  /** req/s over both load lanes, one server process. */
  readonly one: Summary;
  /** req/s over both load lanes, two server processes (one lane each). */
  readonly two: Summary;
  /** The slower lane's p99 latency in ms, summarised over the runs: one process, then two. */
  readonly p99One: Summary;
  readonly p99Two: Summary;
  /** Two processes over one: of the medians, and within each round. */
  readonly ratio: number;
  readonly byRound: Summary;
}

/** Revocations through process A and the time until process B refuses the session's token. */
export interface PropagationRow {
  /** Whether both processes served the load meanwhile. */
  readonly underLoad: boolean;
  readonly samples: number;
  /** Milliseconds from the revoke's acknowledgement to B's first 401 (its request included). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Samples refused by B's very first request after the acknowledgement. */
  readonly firstPoll: number;
  /** p50 of B's accepting request just before each revoke, ms: the floor of these figures. */
  readonly roundTripP50: number;
  /** req/s of the load over both processes meanwhile; null without load. */
  readonly reqPerSec: number | null;
  /** B's store calls per request meanwhile, by operation (probes included). */
  readonly storeCallsPerRequest: Readonly<Record<string, number>> | null;
}

/** Two app processes on one Redis: throughput, and revocation propagation between them. */
export interface PairResults {
  readonly rows: readonly PairRow[];
  readonly propagation: readonly PropagationRow[];
  /** sess's `revocation.staleness` in the configuration measured, ms. */
  readonly stalenessMs: number;
}

/** A target and whether this run met it. */
export interface TargetResult {
  /** The issue that set the target. */
  readonly origin: 'issue 22' | 'issue 6';
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  /** Null when the suite that measures it was not run. */
  readonly pass: boolean | null;
}

/** Everything one `pnpm bench` measured; written as latest.json. */
export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: Omit<BenchOptions, 'redisUrl' | 'databaseUrl'>;
  readonly machine: Machine;
  /** 1-minute load average when the run ended: far above the start's, other work competed. */
  readonly loadAtEnd: number;
  /** Wall-clock seconds each suite took. */
  readonly seconds: Readonly<Partial<Record<Suite, number>>>;
  readonly micro: readonly MicroRow[];
  readonly ops: readonly OpsRow[];
  readonly writes: readonly WritesRow[];
  readonly http: readonly HttpRow[];
  /** The CPUs of each HTTP server and its load client, or null when they shared them. */
  readonly placement: Placement | null;
  /** Null when the pair suite did not run. */
  readonly pair: PairResults | null;
  readonly targets: readonly TargetResult[];
}
