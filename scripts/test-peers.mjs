// `pnpm test:peers`: runs the store kits and the behaviour suite at the lowest and highest version
// of every third-party peer range the published packages declare, so each range says only what
// has passed. Too slow for `.ci/run` (several installs, a better-sqlite3 compile per version); run
// it before widening or narrowing a peer range, and before a release. CONTRIBUTING.md explains it.
//
// How: a git worktree of HEAD in the temp directory (never this checkout's node_modules), one
// baseline install and build, then rounds. A round pins one version per peer "slot" (a dependency
// entry of the workspace: `express` and the `express4` alias are two slots, so Express 4 and 5 run
// in one round), installs without the frozen lockfile, checks what got installed, typechecks the
// packages that declare the peers and runs their vitest projects plus the behaviour suite. When a
// project fails, each peer version it involves is run again alone, so every row of the table is
// one peer at one version. Exit code 1 when any row failed.
//
//   node scripts/test-peers.mjs [--only ioredis,pg] [--range ioredis='>=5'] [--every-major]
//                               [--isolate | --no-retry] [--dir /tmp/existing-worktree] [--keep]
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    range: { type: 'string', multiple: true, default: [] },
    'every-major': { type: 'boolean', default: false },
    isolate: { type: 'boolean', default: false },
    'no-retry': { type: 'boolean', default: false },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    plan: { type: 'boolean', default: false },
  },
});

/** Peers that are not third-party libraries the user installs next to ours. */
const notTested = (name) =>
  name.startsWith('@sess/') || name.startsWith('@types/') || name === 'vitest';
/** Projects every round runs: the HTTP behaviour of every binding. */
const ALWAYS = ['behaviour-suite'];

const pinnedPnpm = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).packageManager;

function run(cmd, argv, { cwd, log, env = {} }) {
  const started = Date.now();
  const result = spawnSync(cmd, argv, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, COREPACK_ENABLE_STRICT: '0', ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (log) writeFileSync(log, `$ ${cmd} ${argv.join(' ')}\n${output}`);
  return { ok: result.status === 0, output, seconds: Math.round((Date.now() - started) / 1000) };
}
const pnpm = (argv, options) => run('npx', ['--yes', pinnedPnpm, ...argv], options);
const git = (argv, cwd = repo) => run('git', argv, { cwd });

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
function major(spec) {
  const m = /(\d+)(?:\.\d+)*/.exec(spec);
  return m ? Number(m[1]) : Number.NaN;
}

/** Every workspace manifest (the globs of pnpm-workspace.yaml that this repo uses). */
function manifests(root) {
  const dirs = ['.'];
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [...yaml.split('catalog:')[0].matchAll(/^\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]);
  for (const glob of globs) {
    if (glob.endsWith('/*')) {
      const parent = glob.slice(0, -2);
      for (const entry of readdirSync(join(root, parent), { withFileTypes: true }))
        if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
    } else dirs.push(glob);
  }
  return dirs.filter((dir) => existsSync(join(root, dir, 'package.json')));
}

function readCatalog(root) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const catalog = {};
  const body = yaml.split(/^catalog:\s*$/m)[1] ?? '';
  for (const line of body.split('\n')) {
    const m = /^\s+"?([^":]+)"?:\s*(\S+)\s*$/.exec(line);
    if (m) catalog[m[1]] = m[2];
    else if (/^\S/.test(line)) break;
  }
  return catalog;
}

/** The peers to test: each third-party peer range of a published package, with its packages. */
function collectPeers(root) {
  const peers = new Map();
  for (const dir of manifests(root)) {
    if (!dir.startsWith('packages/')) continue;
    const pkg = readJson(join(root, dir, 'package.json'));
    if (pkg.private) continue;
    for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
      if (notTested(name)) continue;
      const peer = peers.get(name) ?? { name, ranges: new Set(), packages: [] };
      peer.ranges.add(range);
      peer.packages.push({ dir, name: pkg.name });
      peers.set(name, peer);
    }
  }
  // Not a peer, but what the Hono binding runs under on Node (it reads the client address from
  // its request): tested the same way, its range documented in the Hono binding's README.
  const companions = { '@hono/node-server': '^1.19.19 || ^2.0.0' };
  for (const [name, range] of Object.entries(companions)) {
    if (!peers.has(name)) peers.set(name, { name, ranges: new Set([range]), packages: [] });
  }
  for (const spec of args.range) {
    const at = spec.indexOf('=');
    const name = spec.slice(0, at);
    const peer = peers.get(name) ?? { name, ranges: new Set(), packages: [] };
    peer.ranges = new Set([spec.slice(at + 1)]);
    peers.set(name, peer);
  }
  const only = args.only?.split(',');
  return [...peers.values()].filter((peer) => !only || only.includes(peer.name));
}

/**
 * The dependency entries ("slots") through which the workspace installs `name`: a direct
 * dependency, a `catalog:` one, or an `npm:name@…` alias. Each slot covers one major.
 */
function slotsOf(root, name) {
  const catalog = readCatalog(root);
  const slots = new Map();
  for (const dir of manifests(root)) {
    const pkg = readJson(join(root, dir, 'package.json'));
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      for (const [key, spec] of Object.entries(pkg[field] ?? {})) {
        const alias = spec.startsWith(`npm:${name}@`);
        if (key !== name && !alias) continue;
        const range = alias
          ? spec.slice(`npm:${name}@`.length)
          : spec === 'catalog:'
            ? catalog[key]
            : spec;
        const slot = slots.get(key) ?? { key, major: major(range), entries: [] };
        slot.entries.push({ dir, field, key, alias, catalog: spec === 'catalog:' });
        slots.set(key, slot);
      }
    }
  }
  return [...slots.values()];
}

/** Versions of `name` that satisfy `range`, oldest first, without prereleases. */
function versionsIn(name, range) {
  const result = run('npm', ['view', `${name}@${range}`, 'version', '--json'], { cwd: repo });
  if (!result.ok) throw new Error(`npm view ${name}@${range} failed:\n${result.output}`);
  const parsed = JSON.parse(result.output || '[]');
  const list = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => !v.includes('-'));
  const parts = (v) => v.split('.').map(Number);
  return list.sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/**
 * The cells to run: for each peer and each slot, the lowest and highest version of the range that
 * slot can hold (a slot whose major the range does not name holds all of it). With --every-major,
 * the lowest and highest of every major.
 */
function planCells(root, peers) {
  const cells = [];
  for (const peer of peers) {
    const versions = [...peer.ranges].flatMap((range) => versionsIn(peer.name, range));
    const unique = [...new Set(versions)];
    if (unique.length === 0)
      throw new Error(`no published version of ${peer.name} in ${[...peer.ranges]}`);
    const slots = slotsOf(root, peer.name);
    if (slots.length === 0)
      throw new Error(`${peer.name} is a peer but nothing in the workspace installs it`);
    const majors = [...new Set(unique.map(major))];
    for (const slot of slots) {
      // A slot runs the majors no other slot is dedicated to.
      const own = majors.filter((m) => m === slot.major || !slots.some((s) => s.major === m));
      const mine = unique.filter((v) => own.includes(major(v)));
      const groups = args['every-major']
        ? own.map((m) => mine.filter((v) => major(v) === m))
        : [mine];
      const picks = new Set(groups.flatMap((g) => (g.length ? [g[0], g.at(-1)] : [])));
      for (const version of picks) cells.push({ peer, slot, version });
    }
  }
  return cells;
}

/** The vitest projects that exercise `peer`: the packages declaring it that have tests, and ALWAYS. */
function projectsOf(root, peer) {
  const withTests = peer.packages
    .filter(
      ({ dir }) =>
        existsSync(join(root, dir, 'vitest.config.ts')) && existsSync(join(root, dir, 'test')),
    )
    .map(({ dir }) => dir.split('/').pop());
  return [...new Set([...withTests, ...ALWAYS])];
}

function pin(root, cells) {
  let yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const edits = new Map();
  for (const { peer, slot, version } of cells) {
    for (const entry of slot.entries) {
      if (entry.catalog) {
        const line = new RegExp(
          `^(\\s+"?${peer.name.replace(/[/.]/g, '\\$&')}"?:\\s*)\\S+\\s*$`,
          'm',
        );
        if (!line.test(yaml)) throw new Error(`catalog entry for ${peer.name} not found`);
        yaml = yaml.replace(line, `$1${version}`);
        continue;
      }
      const path = join(root, entry.dir, 'package.json');
      const pkg = edits.get(path) ?? readJson(path);
      pkg[entry.field][entry.key] = entry.alias ? `npm:${peer.name}@${version}` : version;
      edits.set(path, pkg);
    }
  }
  writeFileSync(join(root, 'pnpm-workspace.yaml'), yaml);
  for (const [path, pkg] of edits) writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
}

function installed(root, cell) {
  const wrong = [];
  for (const entry of cell.slot.entries) {
    const path = join(root, entry.dir, 'node_modules', entry.key, 'package.json');
    const found = existsSync(path) ? readJson(path).version : 'missing';
    if (found !== cell.version) wrong.push(`${entry.dir}: ${entry.key}@${found}`);
  }
  return wrong;
}

/** Installs `cells` together and runs what they involve; returns per-project results. */
function runRound(root, cells, label, logs) {
  const step = (name) => join(logs, `${label}-${name}.log`.replace(/[^\w.-]+/g, '_'));
  git(['checkout', '--', '.'], root);
  pin(root, cells);
  const result = { install: null, wrong: [], typecheck: null, projects: {} };
  process.stdout.write(
    `\n[${label}] ${cells.map((c) => `${c.slot.key}@${c.version}`).join(' ')}\n  install… `,
  );
  result.install = pnpm(['install', '--no-frozen-lockfile', '--prefer-offline'], {
    cwd: root,
    log: step('install'),
  });
  process.stdout.write(`${result.install.ok ? 'ok' : 'FAILED'} (${result.install.seconds}s)\n`);
  if (!result.install.ok) return result;
  result.wrong = cells.flatMap((cell) => installed(root, cell));
  if (result.wrong.length) {
    console.log(`  not the pinned version: ${result.wrong.join(', ')}`);
    return result;
  }
  const packages = [...new Set(cells.flatMap((c) => c.peer.packages.map((p) => p.name)))];
  if (packages.length) {
    process.stdout.write('  typecheck… ');
    result.typecheck = pnpm([...packages.flatMap((p) => ['--filter', p]), 'run', 'typecheck'], {
      cwd: root,
      log: step('typecheck'),
    });
    process.stdout.write(
      `${result.typecheck.ok ? 'ok' : 'FAILED'} (${result.typecheck.seconds}s)\n`,
    );
  } else result.typecheck = { ok: true };
  const projects = [...new Set(cells.flatMap((c) => projectsOf(root, c.peer)))];
  for (const project of projects) {
    process.stdout.write(`  vitest ${project}… `);
    const r = run(
      join(root, 'node_modules/.bin/vitest'),
      ['run', '--project', project, '--passWithNoTests'],
      {
        cwd: root,
        log: step(`vitest-${project}`),
        env: { SESS_REQUIRE_SERVICES: '1', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      },
    );
    const summary = /Tests\s+(.*)/.exec(r.output)?.[1]?.trim() ?? '';
    process.stdout.write(`${r.ok ? 'ok' : 'FAILED'} (${r.seconds}s) ${summary}\n`);
    result.projects[project] = r;
  }
  return result;
}

function verdict(root, result, cell) {
  if (!result.install?.ok) return 'FAIL (install)';
  if (result.wrong.length) return 'FAIL (resolution)';
  const failed = projectsOf(root, cell.peer).filter((p) => !result.projects[p]?.ok);
  if (failed.length) return `FAIL (${failed.join(', ')})`;
  if (!result.typecheck?.ok) return 'FAIL (typecheck)';
  return 'pass';
}

// --- main -------------------------------------------------------------------------------------
const root = args.dir ?? mkdtempSync(join(tmpdir(), 'sess-peers-'));
if (!args.dir) {
  const added = git(['worktree', 'add', '--detach', root, 'HEAD']);
  if (!added.ok) throw new Error(added.output);
}
const logs = join(root, '.peers-logs');
mkdirSync(logs, { recursive: true });
console.log(
  `worktree ${root} at ${git(['rev-parse', '--short', 'HEAD'], root).output.trim()}; logs in ${logs}`,
);

let failed = false;
const cleanUp = () => {
  if (args.keep || args.dir || failed) return;
  git(['worktree', 'remove', '--force', root]);
};

try {
  git(['checkout', '--', '.'], root);
  const peers = collectPeers(root);
  const cells = planCells(root, peers);
  console.log(
    `${cells.length} peer versions: ${cells.map((c) => `${c.slot.key}@${c.version}`).join(', ')}`,
  );
  if (args.plan) throw Object.assign(new Error('plan only'), { plan: true });
  const base = pnpm(['install', '--frozen-lockfile', '--prefer-offline'], {
    cwd: root,
    log: join(logs, 'base-install.log'),
  });
  if (!base.ok) throw new Error(`baseline install failed: see ${logs}/base-install.log`);
  const built = pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    log: join(logs, 'base-build.log'),
  });
  if (!built.ok) throw new Error(`baseline build failed: see ${logs}/base-build.log`);

  // Pack cells into rounds: one version per slot per round.
  const rounds = [];
  for (const cell of cells) {
    const round = args.isolate
      ? undefined
      : rounds.find((r) => !r.some((c) => c.slot.key === cell.slot.key));
    if (round) round.push(cell);
    else rounds.push([cell]);
  }

  const rows = [];
  rounds.forEach((round, i) => {
    const result = runRound(root, round, `round${i + 1}`, logs);
    for (const cell of round) {
      let outcome = verdict(root, result, cell);
      if (outcome !== 'pass' && round.length > 1 && !args['no-retry']) {
        // Which of the round's peers broke it: this one, alone.
        const alone = runRound(root, [cell], `${cell.slot.key}@${cell.version}`, logs);
        outcome = verdict(root, alone, cell);
      }
      rows.push({ peer: cell.peer.name, slot: cell.slot.key, version: cell.version, outcome });
    }
  });
  git(['checkout', '--', '.'], root);

  const header = ['peer', 'installed as', 'version', 'result'];
  const lines = rows.map((r) => [r.peer, r.slot, r.version, r.outcome]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${fmt(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const line of lines) console.log(fmt(line));
  failed = rows.some((r) => r.outcome !== 'pass');
  const kept = args.keep || args.dir || failed;
  console.log(`\nlogs: ${logs}${kept ? '' : ' (removed with the worktree; --keep keeps them)'}`);
  process.exitCode = failed ? 1 : 0;
} catch (error) {
  if (!error.plan) throw error;
} finally {
  cleanUp();
}
