import pc from 'picocolors';
import { EXIT, type ExitCode } from './errors.ts';

/** How bad a finding is: `error` fails the command (exit 1); `warn` and `info` do not. */
export type Severity = 'error' | 'warn' | 'info';

/** One result of `sess check` or `sess probe`. Never holds a secret, key, token or cookie value. */
export interface Finding {
  /** Stable id of the rule, for scripts and suppressions: `cookie-domain`. */
  id: string;
  severity: Severity;
  /** What is wrong and what to do, in one or two sentences. */
  message: string;
  /** What the finding is about: an environment name (`check`), a cookie or header (`probe`). */
  subject: string;
  /** The option path or attribute concerned, when there is one: `cookies.sameSite`. */
  path?: string;
  /** The standard it follows, when one applies: `ASVS 5.0 7.3.1`. */
  ref?: string;
}

/** Counts per severity. */
export type Summary = Record<Severity, number>;

const ORDER: Record<Severity, number> = { error: 0, warn: 1, info: 2 };

/** Builds a finding; `extra` adds `path` and `ref`. */
export function finding(
  severity: Severity,
  id: string,
  subject: string,
  message: string,
  extra: { path?: string; ref?: string } = {},
): Finding {
  return { id, severity, message, subject, ...extra };
}

/** An empty list of findings and `add`, which takes the arguments of {@link finding}. */
export function collector(): {
  findings: Finding[];
  add: (...args: Parameters<typeof finding>) => void;
} {
  const findings: Finding[] = [];
  return { findings, add: (...args) => void findings.push(finding(...args)) };
}

/** The findings sorted by subject, then severity (errors first), then id; the input is left alone. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.subject.localeCompare(b.subject) ||
      ORDER[a.severity] - ORDER[b.severity] ||
      a.id.localeCompare(b.id),
  );
}

/** How many findings of each severity. */
export function summarize(findings: readonly Finding[]): Summary {
  const summary: Summary = { error: 0, warn: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  return summary;
}

/** {@link EXIT.FINDINGS} when any finding is an error, else {@link EXIT.OK}. */
export function exitCodeFor(findings: readonly Finding[]): ExitCode {
  return findings.some((f) => f.severity === 'error') ? EXIT.FINDINGS : EXIT.OK;
}

/** The `--json` shape shared by `check` and `probe`: `{ ok, summary, findings, ...extra }`. */
export function findingsJson(
  findings: readonly Finding[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const sorted = sortFindings(findings);
  return {
    ok: exitCodeFor(sorted) === EXIT.OK,
    summary: summarize(sorted),
    findings: sorted,
    ...extra,
  };
}

const MARK: Record<Severity, string> = {
  error: pc.red('error'),
  warn: pc.yellow('warn '),
  info: pc.blue('info '),
};

/** Findings grouped by subject, one line each, with a summary line. */
export function formatFindings(findings: readonly Finding[]): string {
  const sorted = sortFindings(findings);
  const lines: string[] = [];
  let subject: string | undefined;
  for (const f of sorted) {
    if (f.subject !== subject) {
      subject = f.subject;
      lines.push(pc.bold(subject));
    }
    const where = [f.path, f.ref].filter(Boolean).join(', ');
    lines.push(
      `  ${MARK[f.severity]} ${pc.dim(f.id)}  ${f.message}${where ? pc.dim(` (${where})`) : ''}`,
    );
  }
  const { error, warn, info } = summarize(sorted);
  const total = `${error} error(s), ${warn} warning(s), ${info} info`;
  lines.push(error > 0 ? pc.red(total) : warn > 0 ? pc.yellow(total) : pc.green(total));
  return lines.join('\n');
}
