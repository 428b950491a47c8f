import type { BenchOptions, Framework } from '../options.ts';
import type { HttpRow } from '../results.ts';
import type { Services } from '../services.ts';
import { ratio, ratiosByRun, summarize } from '../stats.ts';
import { contendersOf } from './contenders.ts';
import { type LoadResult, load, verify } from './load.ts';
import { type RunningServer, startServer } from './servers.ts';

/**
 * One framework's contenders: every server starts (one process each) and is verified, warmed up,
 * then measured in alternation (A B C A B C ...) `runs` times; ratios use medians of this run.
 */
async function benchFramework(
  framework: Framework,
  options: BenchOptions,
  services: Services,
  profileDir: string | null,
  log: (line: string) => void,
): Promise<HttpRow[]> {
  const contenders = contendersOf(framework);
  const servers: RunningServer[] = [];
  try {
    for (const contender of contenders) {
      servers.push(await startServer(contender, services, profileDir));
    }
    for (const server of servers) {
      await verify(server);
      await load(server, Math.min(1, options.duration), options.connections); // warm-up
    }
    const runs = new Map<string, LoadResult[]>(contenders.map((c) => [c.id, []]));
    for (let run = 1; run <= options.runs; run++) {
      for (const server of servers) {
        const result = await load(server, options.duration, options.connections);
        runs.get(server.contender.id)!.push(result);
        log(
          `  ${framework} run ${run}: ${server.contender.kind} ${Math.round(result.reqPerSec)} req/s`,
        );
      }
    }
    const rates = (id: string) => summarize(runs.get(id)!.map((r) => r.reqPerSec));
    const bare = rates(`${framework}/bare`);
    return contenders.map((contender) => {
      const results = runs.get(contender.id)!;
      const reqPerSec = rates(contender.id);
      const peer = contender.peer && rates(`${framework}/${contender.peer}`);
      return {
        framework,
        id: contender.id,
        label: contender.label,
        reqPerSec,
        p50: summarize(results.map((r) => r.p50)),
        p99: summarize(results.map((r) => r.p99)),
        vsBare: ratio(reqPerSec.median, bare.median),
        vsBareByRound: ratiosByRun(reqPerSec.values, bare.values),
        vsPeer: peer
          ? {
              peer: `${framework}/${contender.peer}`,
              ratio: ratio(reqPerSec.median, peer.median),
              byRound: ratiosByRun(reqPerSec.values, peer.values),
            }
          : null,
      };
    });
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** Every selected framework, one after the other. */
export async function benchHttp(
  options: BenchOptions,
  services: Services,
  profileDir: string | null,
  log: (line: string) => void,
): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  for (const framework of options.frameworks) {
    rows.push(...(await benchFramework(framework, options, services, profileDir, log)));
  }
  return rows;
}
