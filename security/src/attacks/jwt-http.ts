import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** What an attack request got back: status, raw `Set-Cookie` lines, body text and JSON. */
export interface AttackReply {
  readonly status: number;
  readonly setCookies: readonly string[];
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: assertions probe arbitrary JSON fields.
  readonly body: Record<string, any> | null;
}

/** One request over node:http, so that repeated headers (arrays) stay repeated on the wire. */
export function send(
  url: string,
  path: string,
  options: {
    method?: string;
    /** Header values; an array sends the header once per value (repeats stay repeats). */
    headers?: Readonly<Record<string, string | readonly string[]>>;
    body?: string | Uint8Array;
  } = {},
): Promise<AttackReply> {
  const { method = 'GET', headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const outgoing = headers as OutgoingHttpHeaders;
    const req = httpRequest(
      new URL(path, url),
      { method, headers: outgoing, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: AttackReply['body'] = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          resolve({
            status: res.statusCode ?? 0,
            setCookies: res.headers['set-cookie'] ?? [],
            headers: res.headers,
            text,
            body: json,
          });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A raw HTTP/1.1 exchange over a socket, for bytes node:http refuses to send. */
export function sendRaw(
  url: string,
  head: Buffer | string,
  body: Buffer | string = '',
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
    const bytes = (part: Buffer | string) =>
      typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    socket.write(Buffer.concat([bytes(head), bytes(body)]));
  });
}

/** The sess cookie names of the demo (secure defaults on localhost). */
export const COOKIE = {
  session: '__Host-session',
  refresh: '__Secure-refresh',
  csrf: '__Host-csrf',
} as const;

/**
 * Problems with an attack response that would hand the attacker something: a `Set-Cookie` setting
 * a session or refresh credential (clearing one with `Max-Age=0` is fine), or a token in the body.
 */
export function issuedCredentials(reply: AttackReply): string[] {
  const problems: string[] = [];
  for (const line of reply.setCookies) {
    const [pair = '', ...attributes] = line.split(';');
    const name = pair.slice(0, pair.indexOf('=')).trim();
    const value = pair.slice(pair.indexOf('=') + 1).trim();
    const clears = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if ((name === COOKIE.session || name === COOKIE.refresh) && value !== '' && !clears) {
      problems.push(`Set-Cookie ${name} with a value`);
    }
  }
  for (const field of ['accessToken', 'refreshToken', 'sessionToken', 'csrfToken']) {
    if (reply.body !== null && typeof reply.body[field] === 'string') {
      problems.push(`body.${field} issued`);
    }
  }
  return problems;
}
