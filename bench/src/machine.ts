import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Where and with what a run was measured. */
export interface Machine {
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** 1-minute load average when the run started: other work on the machine skews results. */
  readonly loadAtStart: number;
  readonly versions: Readonly<Record<string, string>>;
}

/** The libraries measured, as resolved from bench/node_modules. */
const MEASURED = [
  '@sess/core',
  '@sess/express',
  '@sess/koa',
  '@sess/hono',
  '@sess/store-redis',
  '@sess/store-postgres',
  '@sess/store-sqlite',
  'jose',
  'jsonwebtoken',
  'express',
  'express-session',
  'connect-redis',
  'connect-pg-simple',
  'koa',
  'hono',
  '@hono/node-server',
  'ioredis',
  'redis',
  'pg',
  'better-sqlite3',
  'autocannon',
  'mitata',
];

function versionOf(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Describes this machine and the measured library versions. */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAtStart: Number(os.loadavg()[0]!.toFixed(2)),
    versions: Object.fromEntries(MEASURED.map((name) => [name, versionOf(name)])),
  };
}
