import { parseDuration } from '@sess/core';
import type { Command } from 'commander';
import { isLoopback } from '../check/context.ts';
import { type CommandContext, outputOf, withJson } from '../command.ts';
import { CliError, errorLabel } from '../errors.ts';
import { exitCodeFor, findingsJson, formatFindings } from '../findings.ts';
import { cookieFindings, headerFindings, type ProbedResponse, type Target } from './rules.ts';
import { parseSetCookie } from './set-cookie.ts';

/** Headers reported in `--json`, besides the cookies' attributes. */
const REPORTED = [
  'cache-control',
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
];

async function get(url: URL, timeoutMs: number): Promise<ProbedResponse> {
  let res: Response;
  try {
    // Redirects are not followed: the cookies a redirect sets are part of what is checked.
    res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new CliError(
      'ERR_SESS_CLI_UNREACHABLE',
      `cannot reach ${url.origin}: ${errorLabel(error)}`,
    );
  }
  await res.body?.cancel();
  return {
    label: `GET ${url.pathname}`,
    status: res.status,
    headers: res.headers,
    cookies: res.headers.getSetCookie().map(parseSetCookie),
  };
}

/** `sess probe <url>`. */
export function registerProbe(program: Command, ctx: CommandContext): void {
  withJson(program.command('probe'))
    .description(
      'request a running app and check its cookies and security headers against the secure defaults',
    )
    .argument('<url>', 'a page of the app, for example https://app.example.com/')
    .option(
      '--csrf-path <path>',
      'also request this path to see the pre-session cookies (skipped when 404)',
      '/auth/csrf',
    )
    .option('--timeout <duration>', 'per request', '5s')
    .action(async (text: string, flags: { csrfPath: string; timeout: string; json?: boolean }) => {
      const out = outputOf(ctx, flags);
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new CliError(
          'ERR_SESS_CLI_USAGE',
          'not a URL; give one such as https://app.example.com/',
        );
      }
      const timeoutMs = parseDuration(flags.timeout);
      if (!/^https?:$/.test(url.protocol) || timeoutMs === null) {
        throw new CliError(
          'ERR_SESS_CLI_USAGE',
          'probe needs an http(s) URL and a --timeout such as 5s',
        );
      }
      const target: Target = { https: url.protocol === 'https:', local: isLoopback(url) };
      const responses = [await get(url, timeoutMs)];
      const csrfUrl = new URL(flags.csrfPath, url);
      if (csrfUrl.href !== url.href) {
        const csrf = await get(csrfUrl, timeoutMs);
        if (csrf.status !== 404) responses.push(csrf);
      }
      const all = responses.flatMap((res, i) => [
        // Page headers are checked on the page; the others only for what they set.
        ...(i === 0
          ? headerFindings(res, target)
          : headerFindings(res, target).filter((f) => f.id === 'no-store')),
        ...res.cookies.flatMap((c) => cookieFindings(c, target)),
      ]);
      // A cookie set by both responses is reported once.
      const findings = [...new Map(all.map((f) => [JSON.stringify(f), f])).values()];
      const report = responses.map((res) => ({
        request: res.label,
        status: res.status,
        cookies: res.cookies,
        headers: Object.fromEntries(REPORTED.map((h) => [h, res.headers.get(h)])),
      }));
      out.result(
        findingsJson(findings, { url: url.href, responses: report }),
        formatFindings(findings),
      );
      ctx.exit(exitCodeFor(findings));
    });
}
