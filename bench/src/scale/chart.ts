// Hand-written SVG line charts for the scale suite: a value against the session count (log axis),
// one line per series. bench/src/charts.ts draws the HTTP bar charts; a line against a log axis
// is a different picture, so it lives here (no shared helper fits it).

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const short = (n: number) =>
  n >= 1e6
    ? `${n / 1e6}M`
    : n >= 1e3
      ? `${Math.round(n / 1e3).toLocaleString('en')}k`
      : `${Math.round(n)}`;

function niceMax(max: number): { top: number; step: number } {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step || step, step };
}

const W = 640;
const H = 340;
const L = 70;
const R = 170;
const T = 40;
const B = 50;

/** A line chart of `series` against the session count. */
export function lineChart(title: string, yLabel: string, series: readonly Series[]): string {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const { top, step } = niceMax(Math.max(...ys, 1));
  const [lo, hi] = [Math.log10(xs[0] ?? 1), Math.log10(xs.at(-1) ?? 10)];
  const px = (x: number) => L + (hi === lo ? 0.5 : (Math.log10(x) - lo) / (hi - lo)) * (W - L - R);
  const py = (y: number) => T + (1 - y / top) * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="22" font-size="14" font-weight="bold">${xml(title)}</text>`,
  ];
  for (let y = 0; y <= top + 1e-9; y += step) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${py(y)}" y2="${py(y)}" stroke="#e3e5e8"/>`,
      `<text x="${L - 6}" y="${py(y) + 4}" text-anchor="end" fill="#555">${short(y)}</text>`,
    );
  }
  for (const x of xs) {
    out.push(
      `<text x="${px(x)}" y="${H - B + 18}" text-anchor="middle" fill="#555">${short(x)}</text>`,
    );
  }
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle" fill="#333">live sessions (log scale)</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" fill="#333">${xml(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<path d="${d.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of s.points) {
      out.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`,
      );
    }
    const ly = T + 10 + i * 18;
    out.push(
      `<line x1="${W - R + 12}" x2="${W - R + 36}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${W - R + 42}" y="${ly + 4}">${xml(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
