import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';
import { library } from '../../tsup.shared.ts';

const require = createRequire(import.meta.url);

// A bundler resolving for Workers (esbuild --platform=neutral, and others without Node's main
// fields) reads only a package's `exports`. `cookie` 1.x and `@zxcvbn-ts/language-common` 4.x have
// none (cookie 2, which has, needs Node 22), so the ESM build imports the file their own `module`
// or `main` field names: resolvable with or without main fields, by Node, Bun and Deno alike; the
// CJS build keeps the bare names. `@zxcvbn-ts/core` is bundled in: it imports
// `fastest-levenshtein`, which has no `exports` either and is out of our reach. runtimes.md
// explains; test/bundle.test.ts proves it.
function entryFiles(names: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of names) {
    const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
    if (manifest.exports !== undefined) continue;
    const file: string = manifest.module ?? manifest.main;
    files[name] = `${name}/${file.replace(/^\.\//, '')}`;
  }
  return files;
}

export default defineConfig({
  ...library(
    { index: 'src/index.ts', http: 'src/http/index.ts', memory: 'src/memory.ts' },
    'neutral',
  ),
  noExternal: ['@zxcvbn-ts/core', 'fastest-levenshtein'],
  plugins: [
    {
      name: 'sess-entry-files',
      renderChunk(code) {
        if (this.format !== 'esm') return;
        const files = entryFiles(['cookie', '@zxcvbn-ts/language-common']);
        // Only the static import lines esbuild wrote (`from "name";`), so the map's lines stay.
        return {
          code: code.replace(/ from "(cookie|@zxcvbn-ts\/[a-z-]+)";/g, (line, name: string) =>
            files[name] ? ` from "${files[name]}";` : line,
          ),
        };
      },
    },
  ],
});
