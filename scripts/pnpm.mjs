// Runs a pnpm command with only Node and npm installed: fetches the pinned pnpm through npx and
// installs the workspace from the lockfile the first time. Used by the root `npm start` / `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const isWindows = process.platform === 'win32';

function pnpm(args) {
  const result = spawnSync(isWindows ? 'npx.cmd' : 'npx', ['--yes', packageManager, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, COREPACK_ENABLE_STRICT: '0' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync(join(root, 'node_modules', '.modules.yaml')))
  pnpm(['install', '--frozen-lockfile']);
pnpm(process.argv.slice(2));
