import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('core is runtime-neutral', () => {
  it('no source imports a node: module or uses Node globals', () => {
    const offenders = sources(SRC).filter((file) => {
      // Doc comments may show Node usage (`process.env` in an example); code may not.
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      // `Buffer` as a global; `mod.Buffer`, a member of a module reached at run time, is fine.
      return /from\s+['"]node:|require\(|(?<![.\w])Buffer\b|\bprocess\./.test(text);
    });
    expect(offenders).toEqual([]);
  });

  it('reaches node:crypto and node:buffer only at run time, from one module, with fallbacks', () => {
    const reaching = sources(SRC).filter((file) =>
      readFileSync(file, 'utf8').includes('getBuiltinModule'),
    );
    expect(reaching).toEqual([join(SRC, 'util', 'node-crypto.ts')]);
    const text = readFileSync(reaching[0]!, 'utf8');
    expect(text).toContain("process?.getBuiltinModule?.('node:crypto')");
    expect(text).toContain("process?.getBuiltinModule?.('node:buffer')");
  });
});
