import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const doc = read('../../../docs/stores/redis.md');

// Every TypeScript example in docs/stores/redis.md is a typechecked file in test/snippets,
// byte for byte, so the docs cannot drift from the API.
describe('docs/stores/redis.md', () => {
  const snippets = readdirSync(new URL('./snippets/', import.meta.url));

  it.each(snippets)('shows snippets/%s verbatim', (name) => {
    const marker = `<!-- snippet: ${name} -->`;
    expect(doc).toContain(marker);
    const start = doc.indexOf('```ts\n', doc.indexOf(marker)) + '```ts\n'.length;
    expect(doc.slice(start, doc.indexOf('```', start))).toBe(read(`./snippets/${name}`));
  });

  it('has no TypeScript example that is not a snippet', () => {
    expect(doc.split('```ts\n').length - 1).toBe(snippets.length);
  });

  it('has the store docs skeleton', () => {
    const headings = doc.split('\n').filter((line) => /^#{1,3} /.test(line));
    expect(headings).toEqual([
      '# Redis store',
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
