// `pnpm bench:scale`: how sess's cost grows with the number of live sessions, on Redis, Postgres
// and SQLite. SCALE_SIZES (default 10000,100000,1000000) and SCALE_STORES (default
// redis,postgres,sqlite) choose the cells; SCALE_SIZES=10000 is the quick run. With Redis, it
// also measures sess on a throwaway 3-master Cluster (10,000 sessions; SCALE_CLUSTER=0 skips it). Every key, table
// and file it creates is named after one run id and removed after each cell (and on exit).
// Writes bench/results/scale.json, scale.md and the scale-*.svg charts.
import { writeFileSync } from 'node:fs';
import { describeMachine } from '../machine.ts';
import { cleanUp, newServices } from '../services.ts';
import { lineChart, type Series } from './chart.ts';
import { type ClusterBytes, clusterBytes } from './cluster.ts';
import { connectRedisBytes, type PeerBytes } from './compare.ts';
import { scaleMarkdown } from './report.ts';
import { runScale, type ScaleRow, type ScaleStore } from './suite.ts';

const sizes = (process.env.SCALE_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const stores = (process.env.SCALE_STORES ?? 'redis,postgres,sqlite').split(',') as ScaleStore[];
const services = newServices(
  process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);
const results = new URL('../../results/', import.meta.url);

const COLORS: Record<ScaleStore, string> = {
  redis: '#c8382b',
  postgres: '#2f6fb3',
  sqlite: '#3f8f4a',
};

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const rows: ScaleRow[] = [];
  let peer: PeerBytes | null = null;
  let cluster: ClusterBytes | null = null;
  const started = Date.now();
  try {
    if (stores.includes('redis')) {
      peer = await connectRedisBytes(services, 10_000);
      log(`connect-redis: ${peer.bytesPerSession.toFixed(0)} bytes/session`);
      await cleanUp(services);
      if (process.env.SCALE_CLUSTER !== '0') {
        cluster = await clusterBytes(10_000);
        log(`sess on a 3-master Cluster: ${cluster.bytesPerSession.toFixed(0)} bytes/session`);
      }
    }
    for (const store of stores) {
      for (const size of sizes) {
        log(`${store} at ${size.toLocaleString('en')} sessions`);
        rows.push(await runScale(store, size, services, log));
        await cleanUp(services);
      }
    }
  } finally {
    await cleanUp(services);
  }
  const report = {
    machine: describeMachine(),
    minutes: (Date.now() - started) / 60_000,
    connectRedis: peer,
    cluster,
    rows,
  };
  writeFileSync(new URL('scale.json', results), `${JSON.stringify(report, null, 2)}\n`);
  const per = (pick: (r: ScaleRow) => number, dashed = false, suffix = ''): Series[] =>
    stores.map((store) => ({
      label: `${store}${suffix}`,
      color: COLORS[store],
      dashed,
      points: rows.filter((r) => r.store === store).map((r) => ({ x: r.sessions, y: pick(r) })),
    }));
  writeFileSync(
    new URL('scale-throughput.svg', results),
    lineChart('Validations and refreshes per second (database strategy)', 'operations / s', [
      ...per((r) => r.validate.perSecond, false, ' validate'),
      ...per((r) => r.refresh.perSecond, true, ' refresh'),
    ]),
  );
  writeFileSync(
    new URL('scale-bytes.svg', results),
    lineChart(
      'Bytes per session',
      'bytes',
      per((r) => r.bytesPerSession),
    ),
  );
  writeFileSync(new URL('scale.md', results), scaleMarkdown(report));
  console.log(scaleMarkdown(report));
}

process.once('SIGINT', () => {
  void cleanUp(services).finally(() => process.exit(130));
});
await main();
