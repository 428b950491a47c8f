import { type AttackReply, COOKIE, issuedCredentials, send } from './jwt-http.ts';

/** The codes a refused credential may answer with (all 401). */
export const REFUSAL_CODES: ReadonlySet<string> = new Set([
  'ERR_SESS_INVALID_CREDENTIAL',
  'ERR_SESS_EXPIRED',
  'ERR_SESS_REVOKED',
]);

/** How a forged credential is delivered. */
export type Via = 'bearer' | 'cookie';

/** Wording that must never reach a client: stack frames, file names, library and parser messages. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\bat [\w$.<>]+ \(/, // a stack frame
  /\bat (?:async )?[\w$./<>]*:\d+/,
  /\.ts:\d+/,
  /\.js:\d+/,
  /node:internal/,
  /node_modules/,
  /Unexpected token/i,
  /Unexpected end of JSON/i,
  /" is not valid JSON/, // V8's JSON.parse wording (the demo's own message is fine)
  /JSON\.parse/,
  /SyntaxError/,
  /TypeError/,
  /JWS|JWT\b|JOSE/, // jose's error wording (JWSInvalid, JWTClaimValidationFailed, ...)
  /signature verification failed/i,
  /"alg"|"kid"|"crit"/,
];

/** Problems with a response body: echoes of `secrets` (any of them, or their long pieces), leaks. */
export function bodyProblems(text: string, secrets: readonly string[]): string[] {
  const problems: string[] = [];
  for (const secret of secrets) {
    for (const piece of [secret, ...secret.split(/[.\s;=,]/)]) {
      if (piece.length >= 12 && text.includes(piece)) {
        problems.push(`body echoes input "${piece.slice(0, 24)}…"`);
        break;
      }
    }
  }
  for (const pattern of LEAK_PATTERNS) {
    if (pattern.test(text)) problems.push(`body leaks ${pattern}`);
  }
  return problems;
}

/** Headers that carry `token` the chosen way, and nothing else from any session. */
export function carrying(token: string, via: Via): Record<string, string> {
  return via === 'bearer'
    ? { authorization: `Bearer ${token}` }
    : { cookie: `${COOKIE.session}=${token}` };
}

/**
 * Why `reply` is not a clean refusal of `token` (empty when it is one). `codes` are the answers
 * allowed: a refused credential's by default.
 */
export function refusalProblems(
  reply: AttackReply,
  echoed: readonly string[],
  codes: ReadonlySet<string> = REFUSAL_CODES,
): string[] {
  const problems: string[] = [];
  if (reply.status !== 401) problems.push(`status ${reply.status}`);
  const code = reply.body?.error?.code;
  if (!codes.has(code)) problems.push(`code ${String(code)}`);
  problems.push(...issuedCredentials(reply));
  problems.push(...bodyProblems(reply.text, echoed));
  return problems;
}

/**
 * Sends every `[label, token]` to `GET path` the ways in `vias` (a few at a time) and returns one
 * line per problem: anything but a clean 401 that issues nothing and echoes nothing.
 */
export async function refusedEverywhere(
  url: string,
  cases: ReadonlyArray<readonly [label: string, token: string]>,
  vias: readonly Via[] = ['bearer', 'cookie'],
  path = '/me',
): Promise<string[]> {
  const jobs = cases.flatMap(([label, token]) => vias.map((via) => [label, token, via] as const));
  const problems: string[] = [];
  for (let i = 0; i < jobs.length; i += 8) {
    const batch = jobs.slice(i, i + 8);
    const replies = await Promise.all(
      batch.map(([, token, via]) => send(url, path, { headers: carrying(token, via) })),
    );
    replies.forEach((reply, j) => {
      const [label, token, via] = batch[j]!;
      for (const problem of refusalProblems(reply, [token])) {
        problems.push(`${label} (${via}): ${problem}`);
      }
    });
  }
  return problems;
}
