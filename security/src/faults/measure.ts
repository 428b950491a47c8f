import type { FaultWindow, HistoryEvent } from './history.ts';
import { now } from './history.ts';

/** The p-th percentile (0-100) of `values` by nearest rank; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Latency percentiles of a set of requests, in ms. */
export function latency(events: readonly HistoryEvent[]): {
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const durations = events.map((e) => e.end - e.start);
  return {
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    p99: percentile(durations, 99),
    max: durations.length === 0 ? 0 : Math.max(...durations),
  };
}

interface Sample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/**
 * Watches this process while a scenario runs: memory every 100 ms, and every unhandled rejection
 * or uncaught exception (which would otherwise crash it or vanish).
 */
export class ProcessWatch {
  readonly samples: Sample[] = [];
  readonly unhandled: unknown[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #collect = (error: unknown): void => {
    this.unhandled.push(error);
  };

  start(): this {
    process.on('unhandledRejection', this.#collect);
    process.on('uncaughtException', this.#collect);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 100);
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#sample();
    process.off('unhandledRejection', this.#collect);
    process.off('uncaughtException', this.#collect);
  }

  /** The largest growth of RSS and heap over the value when the window began, in MB. */
  growthDuring(window: Pick<FaultWindow, 'start' | 'end'>): { rssMb: number; heapMb: number } {
    const before = [...this.samples].reverse().find((s) => s.at <= window.start) ?? this.samples[0];
    const during = this.samples.filter((s) => s.at >= window.start && s.at <= window.end);
    if (!before || during.length === 0) return { rssMb: 0, heapMb: 0 };
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      rssMb: mb(Math.max(...during.map((s) => s.rss)) - before.rss),
      heapMb: mb(Math.max(...during.map((s) => s.heapUsed)) - before.heapUsed),
    };
  }

  #sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.samples.push({ at: now(), rss, heapUsed });
  }
}

/** Waits `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
