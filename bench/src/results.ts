import type { Machine } from './machine.ts';
import type { BenchOptions, Framework } from './options.ts';
import type { StoreKind } from './services.ts';
import type { Summary } from './stats.ts';

/** One micro-benchmark contender: operations per second over the runs. */
export interface MicroRow {
  readonly name: string;
  readonly opsPerSec: Summary;
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

/** One HTTP contender of one framework. */
export interface HttpRow {
  readonly framework: Framework;
  readonly id: string;
  readonly label: string;
  readonly reqPerSec: Summary;
  /** Latency percentiles in milliseconds, summarised over the runs. */
  readonly p50: Summary;
  readonly p99: Summary;
  /** Median req/s over the bare framework's median req/s, same run. */
  readonly vsBare: number;
  /** req/s over the bare route's in each round (A B C ...), summarised: drift cancels within a round. */
  readonly vsBareByRound: Summary;
  /** Median req/s over the named peer's median req/s, same run, and the same per round. */
  readonly vsPeer: {
    readonly peer: string;
    readonly ratio: number;
    readonly byRound: Summary;
  } | null;
}

/** A target of issue 6 and whether this run met it. */
export interface TargetResult {
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
  readonly micro: readonly MicroRow[];
  readonly ops: readonly OpsRow[];
  readonly writes: readonly WritesRow[];
  readonly http: readonly HttpRow[];
  readonly targets: readonly TargetResult[];
}
