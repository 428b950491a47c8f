import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('installing @sess/cli', () => {
  it('brings no store driver: store packages are optional peers, loaded when a URL needs one', () => {
    const runtime = Object.keys(manifest.dependencies);
    for (const heavy of ['better-sqlite3', 'ioredis', 'pg']) expect(runtime).not.toContain(heavy);
    expect(runtime.filter((name) => name.startsWith('@sess/store-'))).toEqual(['@sess/store-url']);
    for (const store of ['@sess/store-redis', '@sess/store-postgres', '@sess/store-sqlite']) {
      expect(manifest.peerDependenciesMeta[store], store).toEqual({ optional: true });
    }
  });
});
