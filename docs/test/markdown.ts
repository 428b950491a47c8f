import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The docs folder. */
export const docsDir: string = fileURLToPath(new URL('../', import.meta.url));
/** Where the typechecked snippet files live. */
export const snippetsDir: string = join(docsDir, 'snippets');

/** Every file under `dir` whose name ends with `suffix`, as `/`-separated paths relative to `dir`. */
export function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith(suffix) && !path.split(sep).includes('node_modules'))
    .map((path) => path.split(sep).join('/'))
    .sort();
}

export const read = (path: string): string => readFileSync(path, 'utf8');

/** A fenced code block of a Markdown page. */
export interface CodeBlock {
  /** The info string's first word (`ts`, `sh`, ...). */
  lang: string;
  /** The lines between the fences, each ending with `\n`. */
  body: string;
  /** The 1-based line of the opening fence. */
  line: number;
  /** The nearest non-blank line above the opening fence. */
  before: string;
}

/** The fenced code blocks of a Markdown text (backtick fences, as the docs use). */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let open: { lang: string; line: number; before: string; body: string[] } | null = null;
  let before = '';
  lines.forEach((text, index) => {
    if (open === null) {
      const fence = /^```(\S*)/.exec(text);
      if (fence) open = { lang: fence[1] ?? '', line: index + 1, before, body: [] };
      else if (text.trim() !== '') before = text.trim();
    } else if (text === '```') {
      const body = open.body.map((l) => `${l}\n`).join('');
      blocks.push({ lang: open.lang, body, line: open.line, before: open.before });
      open = null;
      before = '';
    } else {
      open.body.push(text);
    }
  });
  return blocks;
}

const MARKER = /^<!-- snippet: ([\w./-]+) -->$/;

/** The snippet path of a `<!-- snippet: path -->` line; null when the line is no marker. */
export function parseMarker(line: string): string | null {
  return MARKER.exec(line)?.[1] ?? null;
}

/** Relative module specifiers (`./x.ts`, `../y.ts`) a TypeScript source imports. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown page's headings (outside code blocks), with GitHub's `-1` suffixes. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Relative link targets of a Markdown page (`[text](target)`), outside code blocks and spans. */
export function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target));
}
