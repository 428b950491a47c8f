// Builds dist/cli.js before the suites, which run it as a user would. Its @sess/* dependencies are
// used from their own dist (as installed), so they must have been built: `.ci/run` builds everything
// first; locally, `pnpm turbo run build --filter=@sess/cli...`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../../', import.meta.url));
const DEPENDENCIES = ['core', 'store-sqlite', 'store-redis', 'store-postgres'];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export function setup(): void {
  for (const name of DEPENDENCIES) {
    const built = join(packages, name, 'dist', 'index.js');
    if (!existsSync(built)) {
      throw new Error(
        `@sess/${name} is not built (no ${built}); run \`pnpm turbo run build --filter=@sess/cli...\` first`,
      );
    }
    if (newest(join(packages, name, 'src')) > statSync(built).mtimeMs) {
      console.warn(
        `\n!!! @sess/${name}: src is newer than dist; the CLI tests use the older build !!!\n`,
      );
    }
  }
  const tsup = join(packages, '..', 'node_modules', '.bin', 'tsup');
  const build = spawnSync(tsup, [], { cwd: join(packages, 'cli'), encoding: 'utf8' });
  if (build.status !== 0) {
    throw new Error(`building dist/cli.js failed:\n${build.stdout}\n${build.stderr}`);
  }
}
