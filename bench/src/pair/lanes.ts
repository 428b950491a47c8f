// The load of the pair suite: two load clients at once, each with half the connections, so one
// server process and two meet the very same load generator.
import { type LoadClient, load, startLoadClient } from '../http/load.ts';
import type { RunningServer } from '../http/servers.ts';

/** Where each lane's random sequence starts: half of client.ts's 2^20 draws apart, never in step. */
const LANE_START = [0, 1 << 19] as const;

/** What one run of both lanes measured. */
export interface LanesResult {
  /** Requests per second of both lanes together. */
  readonly reqPerSec: number;
  /** The slower lane's p99 latency, ms. */
  readonly p99: number;
}

/** The two load clients of the pair suite, started once and used by each of its runs. */
export interface Lanes {
  /**
   * Drives `targets[k]` from lane k for `duration` seconds, `connections / 2` connections each
   * (the same server twice measures one process). `sent[k]` is where lane k's credential sequence
   * stands; the run continues it and moves it on. The servers' load clocks run meanwhile.
   */
  load(
    targets: readonly [RunningServer, RunningServer],
    duration: number,
    connections: number,
    sent: [number, number],
  ): Promise<LanesResult>;
  close(): void;
}

/** Starts both lanes' load clients (on any CPU: the pair suite shares the cores). */
export async function startLanes(): Promise<Lanes> {
  const clients: LoadClient[] = await Promise.all([startLoadClient(null), startLoadClient(null)]);
  return {
    async load(targets, duration, connections, sent) {
      const servers = new Set(targets);
      for (const server of servers) server.clock(true);
      const half = Math.max(1, Math.round(connections / 2));
      try {
        const [a, b] = await Promise.all(
          targets.map((server, k) =>
            load(clients[k]!, server, duration, half, LANE_START[k]! + sent[k]!),
          ),
        );
        sent[0] += a!.sent;
        sent[1] += b!.sent;
        return { reqPerSec: a!.reqPerSec + b!.reqPerSec, p99: Math.max(a!.p99, b!.p99) };
      } finally {
        for (const server of servers) server.clock(false);
      }
    },
    close() {
      for (const client of clients) client.close();
    },
  };
}
