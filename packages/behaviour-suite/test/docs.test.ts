import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

// The apps in docs/frameworks are the typechecked files in snippets/, byte for byte.
describe.each(['express', 'koa', 'hono'])('docs/frameworks/%s.md', (framework) => {
  it('shows the compiled snippet verbatim', () => {
    const doc = read(`docs/frameworks/${framework}.md`);
    const marker = `<!-- snippet: ${framework}-app.ts`;
    const start = doc.indexOf('```ts\n', doc.indexOf(marker)) + '```ts\n'.length;
    const shown = doc.slice(start, doc.indexOf('```', start));
    expect(shown).toBe(read(`packages/behaviour-suite/snippets/${framework}-app.ts`));
  });
});
