import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../src/demo.ts';
import { DemoClient, startTestDemo } from './support.ts';

const EMAIL = 'alice@example.com';
const PASSWORD = 'alice-password-1';
const WRONG = 'not-alices-password';

/** One sample line of the Prometheus text exposition format. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * The exposition format, strictly: `# HELP`/`# TYPE`/`# UNIT` comments, then
 * `name{label="value",...} number` per line with escaped label values. A line that does not parse
 * fails the test (promtool below checks the format in full, where it is installed).
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[+-]Inf|NaN)(?: -?\d+)?$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(raw);
    if (type) types.set(type[1]!, type[2]!);
    if (raw.startsWith('#')) continue;
    const match = line.exec(raw);
    if (!match) throw new Error(`not an exposition-format line: ${raw}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    label.lastIndex = 0;
    while (label.lastIndex < body.length) {
      const pair = label.exec(body);
      if (!pair) throw new Error(`bad labels: ${raw}`);
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool) {
  const message = 'promtool not found (apt-get install prometheus): `check metrics` is skipped';
  if (process.env.SESS_REQUIRE_SERVICES === '1') throw new Error(message);
  console.warn(`\n  !! ${message}\n`);
}

/** `SESS_METRICS=1`: the demo serves sess's OpenTelemetry metrics as Prometheus text. */
describe('demo /metrics', () => {
  let demo: RunningDemo;
  let text = '';
  let samples: Sample[] = [];
  let types = new Map<string, string>();
  const secrets = new Set<string>([EMAIL, PASSWORD, WRONG]);
  const ids = new Set<string>();

  beforeAll(async () => {
    demo = await startTestDemo({ SESS_METRICS: '1', SESS_STORE: 'memory' });
    demo.sess.on('session.created', (e) => {
      ids.add(e.sessionId);
      ids.add(e.userId);
    });
    const client = new DemoClient(demo.url);
    expect((await client.login(EMAIL, WRONG)).status).toBe(401);
    expect((await client.login(EMAIL, WRONG)).status).toBe(401);
    expect((await client.login()).status).toBe(200);
    expect((await client.request('GET', '/me')).status).toBe(200);
    client.csrfToken = 'forged';
    expect((await client.request('POST', '/account/profile', { displayName: 'A' })).status).toBe(
      403,
    );
    await client.request('GET', '/auth/csrf');
    expect((await client.request('POST', '/auth/logout')).status).toBe(200);
    for (const value of client.cookies.values()) secrets.add(value);
    if (client.csrfToken) secrets.add(client.csrfToken);
    const res = await fetch(new URL('/metrics', demo.url));
    expect(res.status).toBe(200);
    text = await res.text();
    ({ samples, types } = parseExposition(text));
  });

  afterAll(async () => {
    await demo?.close();
  });

  const matching = (name: string, labels: Record<string, string> = {}) =>
    samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  const total = (name: string, labels: Record<string, string> = {}) =>
    matching(name, labels).reduce((sum, s) => sum + s.value, 0);

  it('exposes the lifecycle counters', () => {
    expect(total('sess_sessions_created_total')).toBe(1);
    expect(
      total('sess_logins_failed_total', { sess_login_failure_reason: 'invalid-credentials' }),
    ).toBe(2);
    expect(total('sess_sessions_revoked_total', { sess_revoke_reason: 'logout' })).toBe(1);
    expect(total('sess_csrf_rejected_total', { http_request_method: 'POST' })).toBe(1);
    expect(types.get('sess_sessions_created_total')).toBe('counter');
  });

  it('exposes store latency as a histogram and the active-session gauge', () => {
    // The JavaScript exporter adds no unit suffix (`_seconds`): docs/observability.md says so.
    expect(types.get('sess_store_duration')).toBe('histogram');
    const ok = { sess_operation: 'create', sess_store_outcome: 'ok', db_system_name: 'memory' };
    expect(total('sess_store_duration_count', ok)).toBe(1);
    const gets = matching('sess_store_duration_bucket', { sess_operation: 'get' });
    expect(gets.map((s) => s.labels.le)).toContain('0.005');
    expect(gets.find((s) => s.labels.le === '+Inf')?.value).toBeGreaterThan(0);
    expect(types.get('sess_sessions_active')).toBe('gauge');
    expect(matching('sess_sessions_active')).toHaveLength(1);
    expect(types.get('sess_session_duration')).toBe('histogram');
    expect(total('sess_session_duration_count', { sess_session_end_reason: 'logout' })).toBe(1);
  });

  it('holds no credential, cookie, password, email or id in any label', () => {
    const values = samples.flatMap((s) => Object.values(s.labels));
    expect(values.length).toBeGreaterThan(10);
    const leaks = values.filter((v) => [...secrets, ...ids].some((s) => v.includes(s)));
    expect(leaks).toEqual([]);
    for (const s of [...secrets, ...ids]) expect(text).not.toContain(s);
  });

  it.runIf(promtool)('passes promtool check metrics', () => {
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
