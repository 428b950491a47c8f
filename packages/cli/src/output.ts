import pc from 'picocolors';
import type { CliError } from './errors.ts';

/** Where a command reads and writes; `process` in the binary. */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * How a command reports. Results go to stdout: JSON with `--json`, else text. Notes (hints,
 * progress) go to stderr, so stdout stays parseable.
 */
export class Output {
  readonly json: boolean;
  readonly io: Io;

  constructor(json: boolean, io: Io) {
    this.json = json;
    this.io = io;
  }

  /** Prints a command's result: `data` as JSON with `--json`, else `human`. */
  result(data: unknown, human: string): void {
    this.io.stdout.write(`${this.json ? JSON.stringify(data, null, 2) : human}\n`);
  }

  /** A line on stderr. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Reports a {@link CliError}: `{ "error": { code, message, details } }` on stdout with `--json`. */
  fail(error: CliError): void {
    const { code, message, details, exitCode } = error;
    if (this.json) {
      this.result({ error: { code, message, details, exitCode } }, '');
      return;
    }
    this.note(`${pc.red('sess:')} ${message}`);
    for (const line of details) this.note(`  - ${line}`);
  }
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** Milliseconds as a short duration: `30m`, `8h`, `1h 30m`, `10s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(' ');
}

/** A table of rows under a header, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [pc.bold(line(header)), ...rows.map(line)].join('\n');
}
