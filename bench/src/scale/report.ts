// bench/results/scale.md: the tables of one `pnpm bench:scale` run.
import type { Machine } from '../machine.ts';
import type { ClusterBytes } from './cluster.ts';
import type { PeerBytes } from './compare.ts';
import type { ScaleRow } from './suite.ts';

export interface ScaleReport {
  machine: Machine;
  minutes: number;
  connectRedis: PeerBytes | null;
  cluster?: ClusterBytes | null;
  rows: ScaleRow[];
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

/** The markdown of `report`. */
export function scaleMarkdown(report: ScaleReport): string {
  const { rows, connectRedis, cluster } = report;
  const out: string[] = [
    '# Cost as work grows (`pnpm bench:scale`)',
    '',
    `One run, ${report.minutes.toFixed(1)} min, ${report.machine.cores} cores (${report.machine.cpu}), Node ${report.machine.node}, load ${report.machine.loadAtStart} at start. Figures are indicative: 2 cores shared with the services and other work.`,
    '',
    "Database strategy throughout, through a real `SessionManager`: validations of 10,000 distinct random sessions (32 in flight; the median of 3 runs, in turns with the read alone: one read of each record by id from the store's own table or key on a client of its own, no sess code, the storage engine's floor), refreshes of 2,000 others. Sessions carry a 200-character user agent and an IP, spread over users 5 each, plus one user with 1,000 sessions (for `revokeAllForUser`). Cleanup: a tenth more sessions (1,000 to 100,000) that expire within 3 s, then `deleteExpired` (Postgres, SQLite) or Redis's own key expiry, while 8 validations stay in flight.",
    '',
    '| store | sessions | bytes/session | validate/s | the read alone/s | validate p99 ms | refresh/s | expired removed/s | validate p99 during cleanup ms | revokeAllForUser (1,000) ms | revokeEverything ms | load s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.store} | ${int(r.sessions)} | ${int(r.bytesPerSession)} | ${int(r.validate.perSecond)} | ${int(r.read.perSecond)} | ${ms(r.validate.p99)} | ${int(r.refresh.perSecond)} | ${int(r.cleanup.perSecond)} | ${ms(r.validateDuringCleanup.p99)} | ${r.revokeAllForUserCount ? ms(r.revokeAllForUserMs) : '–'} | ${ms(r.revokeEverythingMs)} | ${r.loadSeconds.toFixed(0)} |`,
    );
  }
  out.push('', '## 1M against 10k (validate target: within 10%)', '');
  for (const store of [...new Set(rows.map((r) => r.store))]) {
    const mine = rows.filter((r) => r.store === store).sort((a, b) => a.sessions - b.sessions);
    const [first, last] = [mine[0], mine.at(-1)];
    if (!first || !last || first === last) continue;
    const v = last.validate.perSecond / first.validate.perSecond;
    const f = last.refresh.perSecond / first.refresh.perSecond;
    const r = last.read.perSecond / first.read.perSecond;
    out.push(
      `- ${store}: validate ${int(last.sessions)} / ${int(first.sessions)} = ${v.toFixed(2)}× (${v >= 0.9 ? 'PASS' : 'MISS'}); the read alone ${r.toFixed(2)}×; refresh ${f.toFixed(2)}×, bytes/session ${int(first.bytesPerSession)} → ${int(last.bytesPerSession)}`,
    );
  }
  const redis = rows.filter((r) => r.store === 'redis');
  if (redis.length > 0) {
    out.push('', '## Redis memory per session', '');
    out.push('| sessions | bytes/session | keys/session | record (r) | index (u) | other |');
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of redis) {
      const kinds = r.byKind ?? {};
      const other = Object.entries(kinds)
        .filter(([k]) => k !== 'r' && k !== 'u')
        .reduce((sum, [, v]) => sum + v.bytes, 0);
      out.push(
        `| ${int(r.sessions)} | ${int(r.bytesPerSession)} | ${(r.keysPerSession ?? 0).toFixed(2)} | ${int(kinds.r?.bytes ?? 0)} | ${int(kinds.u?.bytes ?? 0)} | ${int(other)} |`,
      );
    }
    if (connectRedis) {
      const sess = redis[0]!.bytesPerSession;
      out.push(
        '',
        ...(cluster
          ? [
              `On a 3-master Redis Cluster (${int(cluster.sessions)} sessions): **${int(cluster.bytesPerSession)} bytes/session**, ${cluster.keysPerSession.toFixed(2)} keys/session (record ${int(cluster.byKind.r?.bytes ?? 0)}, id → tag pointer ${int(cluster.byKind.p?.bytes ?? 0)}, index ${int(cluster.byKind.u?.bytes ?? 0)})${connectRedis ? ` = ${(cluster.bytesPerSession / connectRedis.bytesPerSession).toFixed(2)}× connect-redis` : ''}.`,
              '',
            ]
          : []),
        `express-session + connect-redis with the same metadata (user id, user agent, IP in the session JSON; its cookie object too), ${int(connectRedis.sessions)} sessions: **${int(connectRedis.bytesPerSession)} bytes/session**, ${connectRedis.keysPerSession.toFixed(2)} keys/session. sess at ${int(redis[0]!.sessions)}: ${int(sess)} bytes = **${(sess / connectRedis.bytesPerSession).toFixed(2)}×** connect-redis (target ≤ 2×: ${sess <= 2 * connectRedis.bytesPerSession ? 'PASS' : 'MISS'}), with a per-user index connect-redis does not have.`,
      );
    }
  }
  out.push(
    '',
    '![Validations and refreshes per second against live sessions](scale-throughput.svg)',
    '',
    '![Bytes per session against live sessions](scale-bytes.svg)',
    '',
  );
  return out.join('\n');
}
