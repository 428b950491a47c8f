// Hand-written SVG charts of the HTTP results: one horizontal bar chart per framework, a bar per
// contender and mix (the median), a whisker over the runs' range. No dependency, no script, no font
// file: the text uses the viewer's sans-serif.
import { writeFileSync } from 'node:fs';
import type { ContenderKind } from './http/contenders.ts';
import { MIX, MIXES, type MixName } from './mixes.ts';
import type { Framework } from './options.ts';
import type { BenchResults, HttpRow } from './results.ts';

const SHORT: Record<ContenderKind, string> = {
  bare: 'bare route',
  noop: 'no-op middleware',
  'token-lookup': 'floor: one token lookup',
  'redis-read': 'floor: one Redis GET',
  'postgres-read': 'floor: one Postgres SELECT',
  'sqlite-read': 'floor: one SQLite SELECT',
  'sess-jwt': 'sess, jwt',
  'sess-jwt-otel': 'sess, jwt + OpenTelemetry',
  'sess-db-redis': 'sess, database, Redis',
  'sess-db-postgres': 'sess, database, Postgres',
  'sess-db-sqlite': 'sess, database, SQLite',
  'express-session-redis': 'express-session + connect-redis',
  'express-session-postgres': 'express-session + connect-pg-simple',
  jsonwebtoken: 'jsonwebtoken',
  'hono-jwt': "Hono's jwt()",
};

type Family = 'floor' | 'sess' | 'peer';
const FLOORS: ReadonlySet<ContenderKind> = new Set([
  'bare',
  'noop',
  'token-lookup',
  'redis-read',
  'postgres-read',
  'sqlite-read',
]);
const familyOf = (kind: ContenderKind): Family =>
  FLOORS.has(kind) ? 'floor' : kind.startsWith('sess-') ? 'sess' : 'peer';

/** Fill per family and mix: the 10,000-user mix solid, the cold mix lighter. */
const FILL: Record<Family, Record<MixName, string>> = {
  floor: { users: '#8a8f98', cold: '#c4c7cc' },
  sess: { users: '#2f6fb3', cold: '#9dbfe3' },
  peer: { users: '#d9822b', cold: '#f0c293' },
};

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const int = (n: number) => Math.round(n).toLocaleString('en');

/** A round axis step: 1, 2 or 5 times a power of ten, about `ticks` of them up to `max`. */
function step(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
}

const LABEL_W = 250;
const PLOT_W = 430;
const VALUE_W = 70;
const BAR_H = 14;
const GAP = 8;
const TOP = 58;

/** The chart of one framework's rows, as an SVG document. */
export function httpChart(framework: Framework, rows: readonly HttpRow[], runs: number): string {
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const groups = kinds.map((kind) => rows.filter((r) => r.kind === kind));
  const max = Math.max(...rows.map((r) => r.reqPerSec.max));
  const unit = step(max, 5);
  const top = Math.ceil(max / unit) * unit;
  const x = (value: number) => LABEL_W + (value / top) * PLOT_W;
  const height = TOP + groups.reduce((h, g) => h + g.length * BAR_H + GAP, 0) + 30;
  const width = LABEL_W + PLOT_W + VALUE_W;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="18" font-size="13" font-weight="bold">${xml(`${framework}: GET /me, requests per second`)}</text>`,
    `<text x="8" y="34" fill="#555">${xml(`median of ${runs} runs, whisker: lowest to highest run; higher is better`)}</text>`,
  ];
  let legend = 8;
  const swatch = (fill: string, text: string) => {
    out.push(
      `<rect x="${legend}" y="41" width="10" height="10" fill="${fill}"/>`,
      `<text x="${legend + 14}" y="50">${xml(text)}</text>`,
    );
    legend += 24 + text.length * 6;
  };
  const families = new Set(rows.map((r) => familyOf(r.kind)));
  if (families.has('sess')) swatch(FILL.sess.users, 'sess');
  if (families.has('peer')) swatch(FILL.peer.users, 'peers');
  if (families.has('floor')) swatch(FILL.floor.users, 'floors (no auth)');
  const mixes = MIXES.filter((m) => rows.some((r) => r.mix === m));
  out.push(
    `<text x="${legend}" y="50" fill="#555">${xml(mixes.map((m, i) => `${i === 0 ? 'solid' : 'light'}: ${MIX[m].label}`).join(', '))}</text>`,
  );
  for (let tick = 0; tick <= top; tick += unit) {
    out.push(
      `<line x1="${x(tick)}" y1="${TOP - 4}" x2="${x(tick)}" y2="${height - 26}" stroke="#e3e3e3"/>`,
      `<text x="${x(tick)}" y="${height - 12}" text-anchor="middle" fill="#555">${int(tick)}</text>`,
    );
  }
  let y = TOP;
  for (const group of groups) {
    const kind = group[0]!.kind;
    const middle = y + (group.length * BAR_H) / 2 + 4;
    out.push(`<text x="${LABEL_W - 8}" y="${middle}" text-anchor="end">${xml(SHORT[kind])}</text>`);
    for (const row of group) {
      const { median, min, max: high } = row.reqPerSec;
      const fill = FILL[familyOf(kind)][row.mix];
      const mid = y + BAR_H / 2;
      out.push(
        `<rect x="${LABEL_W}" y="${y + 1}" width="${(x(median) - LABEL_W).toFixed(1)}" height="${BAR_H - 2}" fill="${fill}"><title>${xml(`${row.label}, ${MIX[row.mix].label}: ${int(median)} req/s (${int(min)}–${int(high)})`)}</title></rect>`,
        `<line x1="${x(min).toFixed(1)}" y1="${mid}" x2="${x(high).toFixed(1)}" y2="${mid}" stroke="#222"/>`,
        `<line x1="${x(min).toFixed(1)}" y1="${mid - 3}" x2="${x(min).toFixed(1)}" y2="${mid + 3}" stroke="#222"/>`,
        `<line x1="${x(high).toFixed(1)}" y1="${mid - 3}" x2="${x(high).toFixed(1)}" y2="${mid + 3}" stroke="#222"/>`,
        `<text x="${(x(high) + 4).toFixed(1)}" y="${mid + 4}" fill="#333">${int(median)}</text>`,
      );
      y += BAR_H;
    }
    y += GAP;
  }
  out.push('</svg>', '');
  return out.join('\n');
}

/** Writes `<base>-http-<framework>.svg` per framework measured; returns the file names. */
export function writeCharts(results: BenchResults, base: URL): string[] {
  const names: string[] = [];
  for (const framework of new Set(results.http.map((r) => r.framework))) {
    const url = new URL(`${base.href}-http-${framework}.svg`);
    const rows = results.http.filter((r) => r.framework === framework);
    writeFileSync(url, httpChart(framework, rows, results.options.httpRuns));
    names.push(url.pathname.split('/').at(-1)!);
  }
  return names;
}
