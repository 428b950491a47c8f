#!/usr/bin/env node
// Starts or stops a throwaway 3-master Redis Cluster on free loopback ports, for the cluster suite
// and for local experiments. Needs redis-server and redis-cli (Redis >= 7) on the PATH.
//
//   node scripts/cluster.mjs start        prints {"dir","ports"} as JSON once cluster_state is ok
//   node scripts/cluster.mjs stop <dir>   SHUTDOWN NOSAVE on every node, then removes <dir>
//
// Never touches the shared server on 6379: ports are picked at random and bind-tested (port and
// cluster bus port, port + 10000) before use.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';
const MASTERS = 3;
const READY_TIMEOUT_MS = 30_000;
const STATE_FILE = 'cluster.json';

const cli = (port, ...args) =>
  execFileSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 5_000,
  });

function canBind(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function freePorts(count) {
  const ports = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > 500) throw new Error('cluster: no free loopback ports found');
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000))
      continue;
    if ((await canBind(port)) && (await canBind(port + 10_000))) ports.push(port);
  }
  return ports;
}

async function until(what, check) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // not up yet: polled again until the deadline
    }
    if (Date.now() > deadline)
      throw new Error(`cluster: ${what} not reached in ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'sess-redis-cluster-'));
  const ports = await freePorts(MASTERS);
  writeFileSync(join(dir, STATE_FILE), JSON.stringify({ dir, ports }));
  try {
    for (const port of ports) {
      execFileSync('redis-server', [
        '--cluster-enabled',
        'yes',
        '--port',
        String(port),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        '--pidfile',
        join(dir, `redis-${port}.pid`),
        '--logfile',
        join(dir, `redis-${port}.log`),
        '--daemonize',
        'yes',
      ]);
    }
    for (const port of ports)
      await until(`PONG from ${port}`, () => cli(port, 'ping').trim() === 'PONG');
    execFileSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
    for (const port of ports) {
      await until(`cluster_state:ok on ${port}`, () =>
        cli(port, 'cluster', 'info').includes('cluster_state:ok'),
      );
    }
  } catch (error) {
    stop(dir);
    throw error;
  }
  process.stdout.write(`${JSON.stringify({ dir, ports })}\n`);
}

// Synchronous on purpose: `stop` also runs from a process 'exit' hook, where nothing async runs.
function exitedWithin(pid, ms) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + ms; Date.now() < deadline; Atomics.wait(pause, 0, 0, 20)) {
    if (!alive(pid)) return true;
  }
  return false;
}

// A daemonized server that exited but was not reaped (no init in a container) is a zombie: gone.
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): signal 0 succeeded, so it runs
  }
}

function stop(dir) {
  const stateFile = join(dir, STATE_FILE);
  if (!existsSync(stateFile)) return;
  const { ports } = JSON.parse(readFileSync(stateFile, 'utf8'));
  const failures = [];
  for (const port of ports) {
    const pidFile = join(dir, `redis-${port}.pid`);
    try {
      cli(port, 'shutdown', 'nosave');
    } catch {
      // SHUTDOWN closes the connection on success; a node that is still alive is killed below
    }
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    if (pid > 0 && !exitedWithin(pid, 3_000)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if (error.code !== 'ESRCH') failures.push(`${port}: ${error.message}`);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (failures.length > 0) throw new Error(`cluster: could not stop ${failures.join('; ')}`);
}

const [command, dir] = process.argv.slice(2);
if (command === 'start') await start();
else if (command === 'stop' && dir) stop(dir);
else {
  process.stderr.write('usage: node scripts/cluster.mjs start | stop <dir>\n');
  process.exitCode = 2;
}
