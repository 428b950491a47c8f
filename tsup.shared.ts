import type { Options } from 'tsup';

/**
 * The build every @sess package shares: ESM + CJS with types; dependencies stay external.
 * `keepNames`: esbuild renames a class that refers to itself in its body (`ConfigError.code` in a
 * static field or constructor) to `_ConfigError`, so `err.name` and `ConfigError.name` would lie;
 * keeping names restores them for the cost of a small `__name` helper.
 */
export function library(entry: Record<string, string>, platform: Options['platform']): Options {
  return {
    entry,
    platform,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    keepNames: true,
  };
}
