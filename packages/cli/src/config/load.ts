import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type KnownOptions, unknownOptionIssues } from '@sess/core';
import { CliError, errorLabel } from '../errors.ts';
import type {
  Deployment,
  Environment,
  EnvironmentConfig,
  PolicyInput,
  RateLimit,
} from './types.ts';

const MODULES = new Set(['.js', '.mjs', '.cjs']);
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

// The CLI's own sections; `options` is checked by core itself (`createSessionManager`).
const ENVIRONMENT_KEYS = {
  options: true,
  deployment: true,
  rateLimits: true,
  policy: true,
} as const satisfies KnownOptions<EnvironmentConfig>;
const SECTION_KEYS = {
  deployment: {
    origin: true,
    crossSite: true,
    subdomains: true,
    browsers: true,
  } satisfies KnownOptions<Deployment>,
  rateLimits: { login: true, refresh: true } satisfies KnownOptions<
    NonNullable<EnvironmentConfig['rateLimits']>
  >,
  policy: {
    level: true,
    justifications: true,
    concurrentSessions: true,
  } satisfies KnownOptions<PolicyInput>,
} as const;
const RATE_LIMIT_KEYS = { points: true, duration: true } as const satisfies KnownOptions<RateLimit>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Loads config files and returns their environments, in file order. A file is JSON, or a module
 * (`.js`, `.mjs`, `.cjs`; `.ts` where Node strips types itself) whose default export, or else its
 * named exports, is one of:
 * - `{ environments: { <name>: EnvironmentConfig, ... } }`;
 * - one `EnvironmentConfig` (`{ options, deployment?, rateLimits?, policy? }`), named after the file;
 * - the bare options passed to `createSessionManager`, named after the file.
 *
 * @throws CliError `ERR_SESS_CLI_CONFIG` when a file is missing, cannot be loaded, or is not a config.
 */
export async function loadEnvironments(files: readonly string[]): Promise<Environment[]> {
  const environments: Environment[] = [];
  for (const file of files) {
    for (const env of shape(file, await load(file))) {
      if (environments.some((e) => e.name === env.name)) {
        throw new CliError('ERR_SESS_CLI_CONFIG', `environment "${env.name}" is defined twice`);
      }
      environments.push(env);
    }
  }
  return environments;
}

/** The one environment to use: `name`, or the only one there is. */
export function pickEnvironment(environments: readonly Environment[], name?: string): Environment {
  const names = environments.map((e) => e.name);
  if (name !== undefined) {
    const found = environments.find((e) => e.name === name);
    if (!found) {
      throw new CliError(
        'ERR_SESS_CLI_USAGE',
        `no environment "${name}" (have ${names.join(', ')})`,
      );
    }
    return found;
  }
  if (environments.length !== 1) {
    throw new CliError(
      'ERR_SESS_CLI_USAGE',
      `pick one environment with --env (${names.join(', ')})`,
    );
  }
  return environments[0]!;
}

async function load(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliError('ERR_SESS_CLI_CONFIG', `no such file: ${file}`);
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(await readFile(path, 'utf8'));
    } catch {
      // The parser's message quotes the text around the error, which may be a secret.
      throw new CliError('ERR_SESS_CLI_CONFIG', `${file} is not valid JSON`);
    }
  }
  if (!MODULES.has(ext) && !TYPESCRIPT.has(ext)) {
    throw new CliError(
      'ERR_SESS_CLI_CONFIG',
      `${file}: a config is a .json, .js, .mjs or .cjs file (or .ts where Node runs TypeScript)`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw importError(file, ext, error);
  }
  return isObject(mod.default) ? mod.default : { ...mod };
}

function importError(file: string, ext: string, error: unknown): CliError {
  const code = (error as { code?: unknown })?.code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && TYPESCRIPT.has(ext)) {
    return new CliError(
      'ERR_SESS_CLI_CONFIG',
      `${file}: this Node (${process.version}) cannot load TypeScript; compile it, or write the config as .mjs`,
    );
  }
  // Only a missing module is described in words: other messages can quote what the module read.
  const detail =
    code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error ? error.message : errorLabel(error);
  return new CliError('ERR_SESS_CLI_CONFIG', `cannot load ${file}: ${detail}`);
}

function shape(file: string, value: unknown): Environment[] {
  const fileName = basename(file, extname(file));
  if (!isObject(value)) {
    throw new CliError('ERR_SESS_CLI_CONFIG', `${file}: expected an object`);
  }
  if (value.environments !== undefined) {
    if (!isObject(value.environments) || Object.keys(value.environments).length === 0) {
      throw new CliError('ERR_SESS_CLI_CONFIG', `${file}: environments must map names to configs`);
    }
    return Object.entries(value.environments).map(([name, config]) =>
      environment(file, name, config),
    );
  }
  return [environment(file, fileName, value.options === undefined ? { options: value } : value)];
}

function environment(file: string, name: string, config: unknown): Environment {
  if (!isObject(config) || !isObject(config.options)) {
    throw new CliError(
      'ERR_SESS_CLI_CONFIG',
      `${file}: environment "${name}" needs an options object (what createSessionManager gets)`,
    );
  }
  for (const key of ['deployment', 'rateLimits', 'policy'] as const) {
    if (config[key] !== undefined && !isObject(config[key])) {
      throw new CliError('ERR_SESS_CLI_CONFIG', `${file}: ${name}.${key} must be an object`);
    }
  }
  const unknown = unknownSections(name, config);
  if (unknown.length > 0) {
    throw new CliError('ERR_SESS_CLI_CONFIG', `${file}: ${unknown.join('; ')}`);
  }
  return { name, file, config: config as unknown as EnvironmentConfig };
}

/** Unknown keys of an environment and of its own sections, each with the closest known name. */
function unknownSections(name: string, config: Record<string, unknown>): string[] {
  const issues = unknownOptionIssues(config, ENVIRONMENT_KEYS, { path: name });
  for (const [section, known] of Object.entries(SECTION_KEYS)) {
    issues.push(...unknownOptionIssues(config[section], known, { path: `${name}.${section}` }));
  }
  const limits = config.rateLimits;
  for (const route of isObject(limits) ? Object.keys(SECTION_KEYS.rateLimits) : []) {
    const path = `${name}.rateLimits.${route}`;
    issues.push(
      ...unknownOptionIssues((limits as Record<string, unknown>)[route], RATE_LIMIT_KEYS, { path }),
    );
  }
  return issues;
}
