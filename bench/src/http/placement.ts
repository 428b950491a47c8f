import { execFileSync } from 'node:child_process';

/** The CPUs of one HTTP measurement: the server under test on one, its load client on another. */
export interface Placement {
  readonly server: number;
  readonly client: number;
}

/** The CPUs in a `taskset -cp` answer ("pid 1's current affinity list: 0-2,4"). */
function cpusIn(answer: string): number[] {
  const list = answer.slice(answer.lastIndexOf(':') + 1).trim();
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let cpu = from!; cpu <= to!; cpu++) cpus.push(cpu);
  }
  return cpus.filter(Number.isInteger);
}

/**
 * Where the server and its load client run: each pinned to a CPU of its own (the first two this
 * process may use), or null when there are fewer than two or no `taskset` (util-linux). On a
 * shared pair of cores the scheduler runs them in turn, and the cost of waking the other side
 * lands in the server's figures: every cost per request (the socket write, the event loop, the
 * collector) then grows the slower the server already is, and a few microseconds of middleware
 * show as several times that.
 */
export function placement(): Placement | null {
  try {
    const answer = execFileSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
    const [client, server] = cpusIn(answer);
    return client === undefined || server === undefined ? null : { server, client };
  } catch {
    return null;
  }
}

/** Pins every thread of process `pid` to `cpu`. */
export function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}
