import type { Options } from 'tsup';

/** The build every @sess package shares: ESM + CJS with types; dependencies stay external. */
export function library(entry: Record<string, string>, platform: Options['platform']): Options {
  return {
    entry,
    platform,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
  };
}
