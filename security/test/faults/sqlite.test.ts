import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory, describeViolations } from '../../src/faults/checker.ts';
import { type DemoProcess, spawnDemo } from '../../src/faults/demo-process.ts';
import { Recorder } from '../../src/faults/history.ts';
import { latency, sleep } from '../../src/faults/measure.ts';
import { Traffic } from '../../src/faults/traffic.ts';
import { DemoClient } from '../../src/target.ts';

// Two demo processes on one SQLite file (database strategy: each process signs its own access
// tokens, so only the store-backed credential works across them; DESIGN §5 demo keys are per start).
describe('faults: SQLite shared by two processes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sess-fault-sqlite-'));
  const env = {
    SESS_STORE: 'sqlite',
    SESS_STRATEGY: 'database',
    SESS_DATA_DIR: dataDir,
    SESS_SECRET: randomBytes(32).toString('base64url'),
    SESS_LOGINS_PER_MINUTE: '1000000',
  };
  let a: DemoProcess;
  let b: DemoProcess;
  beforeAll(async () => {
    // One after the other: both migrate the same file at start.
    a = await spawnDemo(env);
    b = await spawnDemo(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a login on one is valid on the other, and a logout on one is refused at once by the other', async () => {
    const browser = new DemoClient(a.url, 'two-process/1');
    expect((await browser.login()).status).toBe(200);
    const onB = new DemoClient(b.url, 'two-process/1');
    for (const [name, value] of browser.cookies) onB.cookies.set(name, value);
    onB.csrfToken = browser.csrfToken;
    const me = await onB.request('GET', '/me');
    expect(me.status).toBe(200);
    const sessionId = me.body.session.id as string;
    const stolen = new Map(browser.cookies);

    // Revoke on B; A refuses the same cookie on its very next request (the database strategy
    // deletes the row: no revocation-cache window applies).
    expect((await onB.request('POST', '/auth/logout', {})).status).toBe(200);
    const again = new DemoClient(a.url, 'two-process/1');
    for (const [name, value] of stolen) again.cookies.set(name, value);
    const refused = await again.request('GET', '/me');
    expect(refused.status).toBe(401);
    expect(sessionId).toMatch(/\S/);
  });

  it('mixed traffic across both, with concurrent refreshes split between them: no 5xx, no violation', async () => {
    const recorder = new Recorder();
    const traffic = new Traffic({
      urls: [a.url, b.url],
      strategy: 'database',
      recorder,
      users: 6,
      tabs: 3,
    });
    await traffic.start();
    await sleep(4_000);
    await traffic.stop();
    await traffic.probe();
    const replayed = await traffic.replayDead();
    traffic.close();

    const result = checkHistory(recorder.events, { maxLatencyMs: 3_000 });
    const l = latency(recorder.events);
    console.log(
      `[faults] sqlite two processes: ${result.stats.requests} requests ${JSON.stringify(result.stats.byStatus)}; ` +
        `p50/p99/max ${l.p50.toFixed(0)}/${l.p99.toFixed(0)}/${l.max.toFixed(0)} ms; ` +
        `revoked ${result.stats.revokedFamilies}, rotations ${result.stats.rotations}, replayed ${replayed}`,
    );
    expect(result.violations, describeViolations(result.violations, recorder.events)).toEqual([]);
    expect(result.stats.rotations).toBeGreaterThan(10);
    // Both processes are still up, and neither logged an unhandled error (SQLITE_BUSY included).
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    expect(a.output() + b.output()).not.toMatch(/SQLITE_BUSY|unhandled|ERR_SESS_STORE/i);
  });

  it('a third process holding the write lock past the busy timeout (2 s): 503s, never a 500, then recovery', async () => {
    const recorder = new Recorder();
    const traffic = new Traffic({
      urls: [a.url, b.url],
      strategy: 'database',
      recorder,
      users: 4,
      tabs: 2,
    });
    const holder = new Database(join(dataDir, 'sess.db'), { timeout: 5_000 });
    await traffic.start();
    try {
      await sleep(500);
      await recorder.window(
        'write-lock-6s',
        () => void holder.prepare('BEGIN IMMEDIATE').run(),
        6_000,
        () => void holder.prepare('COMMIT').run(),
      );
      await sleep(1_500);
    } finally {
      await traffic.stop();
      holder.close();
    }
    await traffic.probe();
    traffic.close();
    // better-sqlite3 waits for the lock synchronously: a demo process stalls for up to the store's
    // busy timeout (2 s) per write, and requests queued behind that write wait with it: p99 about
    // 2 s, but a request queued behind several waits in a row can take as long as the hold (6 s).
    const result = checkHistory(recorder.events, { faults: recorder.faults, maxLatencyMs: 8_000 });
    const l = latency(recorder.events.filter((e) => e.end >= recorder.faults[0]!.start));
    console.log(
      `[faults] sqlite write lock held 6 s: ${result.stats.requests} requests ${JSON.stringify(result.stats.byStatus)}; ` +
        `from the hold on p50/p99/max ${l.p50.toFixed(0)}/${l.p99.toFixed(0)}/${l.max.toFixed(0)} ms; ` +
        `recovery ${JSON.stringify(result.stats.recoveryMs)}`,
    );
    expect(result.violations, describeViolations(result.violations, recorder.events)).toEqual([]);
    expect(result.stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });
});
