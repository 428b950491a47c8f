import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The published files, not the sources: a bundler may rename a class that refers to itself
// (`_ConfigError`), which only the build shows. CI builds before it tests; locally, build first.
const DIST = join(import.meta.dirname, '..', 'dist');
const builds = {
  esm: async () => (await import(pathToFileURL(join(DIST, 'index.js')).href)) as object,
  cjs: async () => createRequire(import.meta.url)(join(DIST, 'index.cjs')) as object,
};

// Constructors differ (issues, an operation, a reason...): the first arguments that construct do.
function instantiate(ErrorClass: new (...args: never[]) => Error): Error {
  for (const args of [[['x: unknown option']], ['x'], []]) {
    try {
      return new ErrorClass(...(args as never[]));
    } catch {}
  }
  throw new Error(`cannot construct ${ErrorClass.name}`);
}

describe.each(Object.entries(builds))('the built package (%s)', (_, load) => {
  it('keeps every exported error class named as it is exported, on the class and its instances', async () => {
    expect(existsSync(join(DIST, 'index.js')), 'build @sess/core first').toBe(true);
    const exports = Object.entries(await load());
    const errors = exports.filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
    ) as [string, new (...args: never[]) => Error][];
    expect(errors.map(([name]) => name)).toEqual(
      expect.arrayContaining(['SessError', 'ConfigError', 'StoreError', 'CsrfError']),
    );
    for (const [name, ErrorClass] of errors) {
      expect(ErrorClass.name, name).toBe(name);
      expect(instantiate(ErrorClass).name, name).toBe(name);
    }
  });
});
