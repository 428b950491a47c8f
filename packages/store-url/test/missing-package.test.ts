import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const CORE = fileURLToPath(new URL('../../core', import.meta.url));

// An install with @sess/core and @sess/store-url only, as for a team that added no store package:
// the built package is copied (a symlink would resolve the workspace's store packages).
const root = mkdtempSync(join(tmpdir(), 'sess-store-url-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function install(): void {
  const scope = join(root, 'node_modules', '@sess');
  mkdirSync(join(scope, 'store-url'), { recursive: true });
  cpSync(join(PACKAGE, 'dist'), join(scope, 'store-url', 'dist'), { recursive: true });
  cpSync(join(PACKAGE, 'package.json'), join(scope, 'store-url', 'package.json'));
  symlinkSync(CORE, join(scope, 'core'), 'dir');
}

/** What `openStore(url)` rejects with in that install, as `{ code, issues }`. */
function openIn(url: string): { code: string; issues: string[] } {
  const script = `
    import { openStore } from '@sess/store-url';
    openStore(${JSON.stringify(url)}).then(
      () => console.log('{}'),
      (error) => console.log(JSON.stringify({ code: error.code, issues: error.issues })),
    );`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  return JSON.parse(out.toString());
}

describe('a store package that is not installed', () => {
  it('is a ConfigError naming the packages to install (built package)', () => {
    expect(existsSync(join(PACKAGE, 'dist', 'index.js')), 'build @sess/store-url first').toBe(true);
    install();
    expect(openIn('redis://127.0.0.1:6379')).toEqual({
      code: 'ERR_SESS_CONFIG',
      issues: [
        'openStore: redis URLs need @sess/store-redis and ioredis: npm install @sess/store-redis ioredis',
      ],
    });
    expect(openIn('file:x.db').issues).toEqual([
      'openStore: sqlite URLs need @sess/store-sqlite and better-sqlite3: npm install @sess/store-sqlite better-sqlite3',
    ]);
    expect(openIn('postgres://127.0.0.1/test').issues[0]).toContain(
      'npm install @sess/store-postgres pg',
    );
    expect(openIn('memory:')).toEqual({});
  });
});
