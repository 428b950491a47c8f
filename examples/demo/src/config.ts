import { fileURLToPath } from 'node:url';
import { LOG_LEVELS, type LogLevel } from './logger.ts';

export const FRAMEWORKS = ['express', 'koa', 'hono', 'web', 'fastify'] as const;
export const STORES = ['sqlite', 'memory', 'redis', 'postgres'] as const;
export const STRATEGIES = ['database', 'jwt', 'hybrid'] as const;

/** Everything the demo reads from its environment (DESIGN §5). */
export interface DemoConfig {
  readonly framework: (typeof FRAMEWORKS)[number];
  readonly store: (typeof STORES)[number];
  readonly strategy: (typeof STRATEGIES)[number];
  /** 0 picks a free port. */
  readonly port: number;
  /** The interface to listen on. */
  readonly host: string;
  /** The only origin allowed to send unsafe requests; default `http://localhost:<port>`. */
  readonly origin: string | null;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Where the SQLite file lives. */
  readonly dataDir: string;
  /** Logins allowed per client IP per minute. */
  readonly loginsPerMinute: number;
  /** Keeps demos that share one Redis or Postgres apart (key prefix, table name); '' for none. */
  readonly namespace: string;
  /** sess's log lines on stderr from this level up (`SESS_LOG`, default `warn`). */
  readonly logLevel: LogLevel;
  /** Access-token lifetime in seconds (`SESS_ACCESS_TTL`, jwt/hybrid), null for sess's default. */
  readonly accessTtl: number | null;
  /** Idle timeout of standard sessions in seconds (`SESS_IDLE_TIMEOUT`), null for sess's default. */
  readonly idleTimeout: number | null;
  /** `SESS_METRICS=1`: OpenTelemetry metrics as Prometheus text at `GET /metrics`. */
  readonly metrics: boolean;
}

/** Reads and checks the environment; a bad value throws one error that lists every problem. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const problems: string[] = [];
  const pick = <T extends string>(
    name: string,
    choices: readonly T[],
    fallback = choices[0],
  ): T => {
    const value = env[name] ?? fallback;
    if ((choices as readonly string[]).includes(value as string)) return value as T;
    problems.push(`${name} must be one of ${choices.join(', ')}`);
    return choices[0] as T;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = Number(env[name] ?? fallback);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be an integer from ${min} to ${max}`);
    return fallback;
  };
  const framework = pick('SESS_FRAMEWORK', FRAMEWORKS);
  const store = pick('SESS_STORE', STORES);
  const strategy = pick('SESS_STRATEGY', STRATEGIES);
  // Warnings and errors by default: a store outage or a reused refresh token is never silent.
  const logLevel = pick('SESS_LOG', LOG_LEVELS, 'warn');
  const port = integer('PORT', 3000, 0, 65535);
  const loginsPerMinute = integer('SESS_LOGINS_PER_MINUTE', 30, 1, 1_000_000);
  const accessTtl =
    env.SESS_ACCESS_TTL === undefined ? null : integer('SESS_ACCESS_TTL', 900, 1, 86_400);
  const idleTimeout =
    env.SESS_IDLE_TIMEOUT === undefined ? null : integer('SESS_IDLE_TIMEOUT', 1800, 1, 28_800);
  const namespace = env.SESS_NAMESPACE ?? '';
  if (!/^[a-z0-9_]{0,32}$/.test(namespace))
    problems.push('SESS_NAMESPACE must match [a-z0-9_]{0,32}');
  const origin = env.SESS_ORIGIN ?? null;
  if (origin !== null && !/^https?:\/\/[^/]+$/.test(origin)) {
    problems.push('SESS_ORIGIN must be scheme://host[:port]');
  }
  if (!['0', '1', undefined].includes(env.SESS_METRICS))
    problems.push('SESS_METRICS must be 0 or 1');
  if (problems.length > 0)
    throw new Error(`Invalid demo configuration:\n- ${problems.join('\n- ')}`);
  return {
    framework,
    store,
    strategy,
    port,
    host: env.HOST ?? '127.0.0.1',
    origin,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    dataDir: env.SESS_DATA_DIR ?? fileURLToPath(new URL('../data/', import.meta.url)),
    loginsPerMinute,
    namespace,
    logLevel,
    accessTtl,
    idleTimeout,
    metrics: env.SESS_METRICS === '1',
  };
}
