import { ConfigError } from '@sess/core';
import { type StoreKind, storeKind } from './schemes.ts';

/** The variable that holds each kind's URL when `SESS_STORE` names a kind. */
const URL_VARIABLES: Readonly<Record<StoreKind, string | null>> = {
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
  sqlite: 'SESS_SQLITE_PATH',
  memory: null,
};

/** What {@link storeUrlFromEnv} falls back on. */
export interface StoreEnvDefaults {
  /** The kind to use when `SESS_STORE` is not set. @default none: `SESS_STORE` is required */
  kind?: StoreKind;
  /** A URL (a path for SQLite) per kind, for when its variable is not set. @default none */
  urls?: Partial<Record<StoreKind, string>>;
}

/**
 * The store URL an environment names, for `openStore`. `SESS_STORE` is either a store URL
 * itself or a kind: `redis` (with `REDIS_URL`), `postgres` (with `DATABASE_URL`), `sqlite` (with
 * `SESS_SQLITE_PATH`, a path or a `file:` URL) or `memory`. Problems are a `ConfigError` that
 * never quotes a value (it could hold a password).
 *
 * @example
 * ```ts
 * // SESS_STORE=redis REDIS_URL=redis://cache:6379
 * const store = await openStore(storeUrlFromEnv(process.env));
 * ```
 */
export function storeUrlFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaults: StoreEnvDefaults = {},
): string {
  const value = env.SESS_STORE || defaults.kind;
  const kinds = Object.keys(URL_VARIABLES).join(', ');
  if (!value) throw new ConfigError([`SESS_STORE: not set (a store URL, or one of ${kinds})`]);
  if (storeKind(value) !== null) return value;
  if (!Object.hasOwn(URL_VARIABLES, value)) {
    throw new ConfigError([`SESS_STORE: neither a store URL nor one of ${kinds}`]);
  }
  const kind = value as StoreKind;
  const variable = URL_VARIABLES[kind];
  if (variable === null) return `${kind}:`;
  const url = env[variable] || defaults.urls?.[kind];
  if (!url) throw new ConfigError([`SESS_STORE=${kind} needs ${variable}`]);
  return kind === 'sqlite' && storeKind(url) !== 'sqlite' ? `file:${url}` : url;
}
