import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every published package carries what npm and its readers need, so none can be published half
// dressed. attw and publint themselves run in each package's `lint` script (turbo, in .ci/run): too
// slow for a unit test. This test checks that the script is there and runs them with default
// settings, any exclusion being one CONTRIBUTING.md explains.

const root = fileURLToPath(new URL('../..', import.meta.url));
const REPO = 'https://github.com/sess-dev/sess';

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  keywords?: string[];
  publishConfig?: { access?: string; provenance?: boolean };
  files?: string[];
  scripts?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const published = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => {
    const manifest: Manifest = JSON.parse(
      readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'),
    );
    return { dir, manifest };
  })
  .filter(({ manifest }) => !manifest.private);

/** attw options a package may use, each explained in CONTRIBUTING.md ("Checks on the packages"). */
const ATTW_EXCLUSIONS: Record<string, string> = {
  '@sess/store-postgres': '--exclude-entrypoints ./schema.sql',
};
/** Packages without types to check: attw has nothing to say about a binary. */
const NO_TYPES = new Set(['@sess/cli']);

describe('published packages', () => {
  it('finds them', () => {
    expect(published.map((p) => p.manifest.name)).toContain('@sess/core');
    expect(published.length).toBeGreaterThan(10);
  });

  describe.each(published)('$manifest.name', ({ dir, manifest }) => {
    it('has repository (with directory), homepage, bugs, keywords and license', () => {
      expect(manifest.repository).toEqual({
        type: 'git',
        url: `git+${REPO}.git`,
        directory: `packages/${dir}`,
      });
      expect(manifest.homepage).toBe(`${REPO}/tree/main/packages/${dir}#readme`);
      expect(manifest.bugs).toEqual({ url: `${REPO}/issues` });
      expect(manifest.keywords?.length).toBeGreaterThan(0);
      expect(manifest.license).toBe('MIT');
      expect(existsSync(join(root, 'packages', dir, 'LICENSE'))).toBe(true);
    });

    it('publishes publicly with provenance, and only its built files', () => {
      expect(manifest.publishConfig).toMatchObject({ access: 'public', provenance: true });
      expect(manifest.files).toContain('dist');
    });

    it('has a README: what it is, install, an example, links to the docs', () => {
      const path = join(root, 'packages', dir, 'README.md');
      expect(existsSync(path), `packages/${dir}/README.md`).toBe(true);
      const readme = readFileSync(path, 'utf8');
      expect(readme.startsWith(`# ${manifest.name}\n`)).toBe(true);
      expect(readme).toMatch(
        new RegExp(`## Install\\n\\n\`\`\`sh\\nnpm install .*${manifest.name}`),
      );
      expect(readme).toMatch(/## Example\n\n(<!-- snippet: .+ -->\n)?```(ts|sh)\n/);
      expect(readme).toContain(`## Documentation\n\n- [`);
      expect(readme).toContain(`${REPO}/blob/main/docs/`);
    });

    it('shows examples that are docs snippets, verbatim (so tsc -p docs compiles them)', () => {
      const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8');
      for (const [, marker, body] of readme.matchAll(
        /<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)```\n/g,
      )) {
        const snippet = readFileSync(join(root, 'docs', 'snippets', marker!), 'utf8');
        expect(body, `docs/snippets/${marker}`).toBe(snippet);
      }
      expect(readme).not.toMatch(/(?<!-->\n)```ts\n/);
    });

    it('runs publint and attw (default settings) in its lint script', () => {
      const lint = manifest.scripts?.lint ?? '';
      expect(lint).toContain('publint --strict');
      if (NO_TYPES.has(manifest.name)) return;
      const extra = ATTW_EXCLUSIONS[manifest.name];
      expect(lint).toContain(extra ? `attw --pack . ${extra}` : 'attw --pack .');
      expect(lint).not.toMatch(/--profile|--ignore-rules/);
    });

    it('names bounded third-party peer ranges (what pnpm test:peers ran), never an open one', () => {
      for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (name.startsWith('@sess/') || name.startsWith('@types/')) continue;
        if (name === 'vitest') continue; // the test runner a kit user brings: see CONTRIBUTING.md
        expect(range, `${manifest.name} → ${name}`).not.toMatch(/>=\s*[\d.]+\s*$|\*|^x$|latest/);
      }
    });
  });
});
