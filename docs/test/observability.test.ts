import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsDir } from './markdown.ts';

// docs/observability ships alert rules and a Grafana dashboard; promtool (Debian's `prometheus`
// package) checks the rules, proves each alert fires on sample series, and parses every PromQL
// query of the dashboard. Without promtool the suite is skipped loudly, and fails under
// SESS_REQUIRE_SERVICES=1 (as .ci/run sets), like the Redis and Postgres suites.
const dir = join(docsDir, 'observability');
const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool) {
  const message = 'promtool not found (apt-get install prometheus): alert rules are not checked';
  if (process.env.SESS_REQUIRE_SERVICES === '1') throw new Error(message);
  console.warn(`\n  !! ${message}\n`);
}

const run = (...args: string[]) => {
  const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8')) as {
  title: string;
  uid: string;
  panels: Panel[];
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

describe.runIf(promtool)('alert rules (promtool)', () => {
  it('pass promtool check rules', () => {
    const { status, output } = run('check', 'rules', 'alerts.yml');
    expect(output).toContain('SUCCESS: 5 rules found');
    expect(status).toBe(0);
  });

  it('fire on sample series, each of them (promtool test rules)', () => {
    const { status, output } = run('test', 'rules', 'alerts.test.yml');
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
    const rules = readFileSync(join(dir, 'alerts.yml'), 'utf8');
    const tests = readFileSync(join(dir, 'alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    for (const alert of alerts) {
      // Each alert has a case where it fires (exp_labels) after one where it must not.
      expect(tests).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`));
      expect(tests).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    }
  });

  it('parses every query of the Grafana dashboard', () => {
    // promtool has no "check expression": each query becomes a recording rule, which it parses.
    const $ = { __rate_interval: '5m', __interval: '1m' };
    const rules = queries.map((q, i) => ({
      record: `dashboard:query_${i}`,
      expr: q.expr.replaceAll('$__rate_interval', $.__rate_interval),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'sess-dashboard-'));
    const file = join(dir, 'queries.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(`${result.stdout}${result.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('Grafana dashboard', () => {
  it('shows what issue 19 asks for', () => {
    const titles = panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of [
      'active sessions',
      'logins',
      'failed',
      'refresh',
      'reuse',
      'revoc',
      'store latency',
      '503',
    ]) {
      expect(titles).toContain(topic);
    }
    expect(dashboard.uid).toMatch(/^[a-z0-9-]+$/);
  });

  it('queries only metrics that @sess/opentelemetry exports, with bounded labels', () => {
    const known =
      /^sess_(sessions_(created|refreshed|revoked|expired)_total|refresh_reused_total|logins_failed_total|credentials_refused_total|csrf_rejected_total|ratelimit_exceeded_total|anomalies_total|device_mismatches_total|sessions_active|session_duration_(bucket|sum|count)|store_duration_(bucket|sum|count))$/;
    expect(queries.length).toBeGreaterThan(10);
    for (const { panel, expr } of queries) {
      const metrics = [...expr.matchAll(/\b(sess_[a-z_]+|http_[a-z_]+)\b/g)].map((m) => m[1]!);
      expect(metrics.length, panel).toBeGreaterThan(0);
      for (const metric of metrics.filter(
        (m) =>
          m.startsWith('sess_') &&
          !/^sess_(operation|store_outcome|revoke_reason|login_failure_reason|expiry_limit|anomaly_kind|anomaly_scope|session_end_reason|csrf_reason|ratelimit_route|credential_via|refresh_retry|session_class|device_kind|device_action)$/.test(
            m,
          ),
      )) {
        expect(metric, panel).toMatch(known);
      }
      expect(expr, `${panel}: no id label`).not.toMatch(/session_id|user_id|sess_subject/);
    }
  });
});
