import { expect, it } from 'vitest';
import { describeViolations } from '../src/faults/checker.ts';
import { describeWith } from '../src/faults/services.ts';
import { runSoak } from '../src/soak.ts';

const describeServices = await describeWith('redis', 'postgres');

// The short soak of CI: the full one is `pnpm soak` (SOAK_SECONDS, default 60 per target).
describeServices('soak', () => {
  it('a short soak on Redis (jwt) and Postgres (database): no 5xx, no violation, nothing unhandled', async () => {
    const seconds = Number(process.env.SOAK_TEST_SECONDS ?? 5);
    const reports = await runSoak({
      seconds,
      users: 6,
      log: (line) => console.log(`[soak] ${line}`),
    });
    expect(reports.map((r) => `${r.target.store}/${r.target.strategy}`)).toEqual([
      'redis/jwt',
      'postgres/database',
    ]);
    for (const report of reports) {
      expect(report.violations, describeViolations(report.violations, [])).toEqual([]);
      expect(Object.keys(report.stats.byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
      expect(report.unhandled).toBe(0);
      expect(report.stats.rotations).toBeGreaterThan(5);
      expect(report.stats.revokedFamilies).toBeGreaterThan(0);
      expect(report.ok).toBe(true);
    }
  });
});
