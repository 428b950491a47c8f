import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as http from '../../src/http/index.ts';
import * as root from '../../src/index.ts';

// The list of root exports in docs/frameworks/http.md, as backticked names.
const page = readFileSync(new URL('../../../../docs/frameworks/http.md', import.meta.url), 'utf8');
const section = page.slice(page.indexOf('## What `@sess/core` exports'));
const rootList = section.slice(0, section.indexOf('`@sess/core/http`, for binding authors'));
const listed = new Set([...rootList.matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]));

describe('the root export is what an app author uses; @sess/core/http what a binding author needs', () => {
  it('lists every value the root exports in docs/frameworks/http.md', () => {
    expect(Object.keys(root).filter((name) => !listed.has(name))).toEqual([]);
  });

  it('keeps binding-author values off the root', () => {
    for (const name of ['createBinding', 'createHttpAuth', 'nodeRequest', 'AUTH_ROUTES']) {
      expect(name in http).toBe(true);
      expect(name in root).toBe(false);
    }
  });
});
