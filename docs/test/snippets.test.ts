import { existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  anchors,
  codeBlocks,
  docsDir,
  filesUnder,
  links,
  parseMarker,
  read,
  relativeImports,
  snippetsDir,
} from './markdown.ts';

// The READMEs are held to the same rules as the pages under docs/.
const pages = [
  ...filesUnder(docsDir, '.md').filter((page) => !page.startsWith('snippets/')),
  '../README.md',
  '../examples/demo/README.md',
];
const snippets = filesUnder(snippetsDir, '.ts');
const TS = new Set(['ts', 'typescript']);

/** Every TypeScript block of every page, with the snippet its marker names. */
const shown = pages.flatMap((page) =>
  codeBlocks(read(join(docsDir, page)))
    .filter((block) => TS.has(block.lang))
    .map((block) => ({ page, block, marker: parseMarker(block.before) })),
);

// Every TypeScript example in the docs is a file under docs/snippets that `tsc -p docs` compiles
// against the built packages, so an example cannot drift from the API.
describe('TypeScript examples in docs/', () => {
  it('finds pages and examples', () => {
    expect(pages).toContain('getting-started.md');
    expect(shown.length).toBeGreaterThan(20);
  });

  it.each(shown.map((s) => [`${s.page}:${s.block.line}`, s] as const))(
    '%s is a snippet shown verbatim',
    (_where, { block, marker }) => {
      expect(marker, 'the line above the block must be <!-- snippet: path -->').not.toBeNull();
      const file = join(snippetsDir, marker!);
      expect(existsSync(file), `docs/snippets/${marker} exists`).toBe(true);
      expect(block.body).toBe(read(file));
    },
  );

  it('uses every snippet file: shown in a page, or imported by a snippet that is', () => {
    const used = new Set(shown.flatMap((s) => (s.marker ? [s.marker] : [])));
    for (const file of snippets) {
      for (const specifier of relativeImports(read(join(snippetsDir, file)))) {
        used.add(posix.normalize(posix.join(posix.dirname(file), specifier)));
      }
    }
    expect(snippets.filter((file) => !used.has(file))).toEqual([]);
  });

  it('has no snippet marker without its TypeScript block', () => {
    const dangling = pages.flatMap((page) => {
      const markdown = read(join(docsDir, page));
      const markers = markdown.split('\n').filter((line) => parseMarker(line) !== null).length;
      const blocks = shown.filter((s) => s.page === page && s.marker !== null).length;
      return markers === blocks ? [] : [page];
    });
    expect(dangling).toEqual([]);
  });
});

describe('links in docs/', () => {
  it.each(pages)('%s links to pages and headings that exist', (page) => {
    const broken = links(read(join(docsDir, page))).filter((target) => {
      const [path, anchor] = target.split('#');
      const file = path === '' ? join(docsDir, page) : join(dirname(join(docsDir, page)), path!);
      if (!existsSync(file)) return true;
      return anchor !== undefined && file.endsWith('.md') && !anchors(read(file)).has(anchor);
    });
    expect(broken).toEqual([]);
  });
});

describe('store pages', () => {
  // Every store page answers the same questions in the same order.
  it.each(filesUnder(join(docsDir, 'stores'), '.md'))('stores/%s has the skeleton', (page) => {
    const headings = read(join(docsDir, 'stores', page))
      .split('\n')
      .filter((line) => /^#{2,3} /.test(line));
    expect(headings).toEqual([
      '## Install',
      '## Usage',
      '## Options',
      '## Data layout',
      '## Scaling out',
      '## Operations',
      '### Cleanup',
      '### Persistence',
      '### Eviction policy',
      '## Failures',
    ]);
  });
});
