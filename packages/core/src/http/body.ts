import { BadRequestError, PayloadTooLargeError } from '../errors.ts';

/** A request body as the binding has it: a Web stream, a Node stream (async iterable), or nothing. */
export type BodySource =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | null
  | undefined;

/** A parsed body: a prototype-free record, so `__proto__` keys stay inert data. */
export type BodyFields = Readonly<Record<string, unknown>>;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Reads a JSON object or an urlencoded form from a request body, up to `limit` bytes. Media types
 * match case-insensitively and ignore parameters; any other type (`text/plain` included) reads as an
 * empty record, so a body a cross-site form could send is never taken for JSON.
 *
 * @throws PayloadTooLargeError (413) past `limit`; BadRequestError (400) for malformed input.
 */
export async function readBody(
  source: BodySource,
  contentType: string | null | undefined,
  limit: number,
): Promise<BodyFields> {
  const type = mediaType(contentType);
  const isJson = JSON_TYPE.test(type);
  if (!isJson && type !== FORM_TYPE) return empty();
  const text = await readText(source, limit);
  if (text.length === 0) return empty();
  return isJson ? parseJsonObject(text) : parseForm(text);
}

/**
 * Accepts a body some middleware already parsed (Express's `req.body`, Koa's `ctx.request.body`) as
 * long as it is a plain object; `undefined` when there is none, so the caller reads the stream.
 */
export function parsedBody(value: unknown): BodyFields | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.assign(empty(), value as Record<string, unknown>);
}

/** True for `application/x-www-form-urlencoded`, in any case, with any parameters. */
export function isFormType(contentType: string | null | undefined): boolean {
  return mediaType(contentType) === FORM_TYPE;
}

function mediaType(header: string | null | undefined): string {
  if (typeof header !== 'string') return '';
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

async function readText(source: BodySource, limit: number): Promise<string> {
  if (!source) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const encoder = new TextEncoder();
  for await (const chunk of iterate(source)) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(bytes);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    throw new BadRequestError();
  }
}

async function* iterate(source: NonNullable<BodySource>): AsyncIterable<Uint8Array | string> {
  if (!('getReader' in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function parseJsonObject(text: string): BodyFields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError();
  }
  const fields = parsedBody(value);
  if (!fields) throw new BadRequestError();
  return fields;
}

function parseForm(text: string): BodyFields {
  const fields: Record<string, unknown> = empty();
  new URLSearchParams(text).forEach((value, key) => {
    if (!(key in fields)) fields[key] = value; // first wins: a repeated field is never an array
  });
  return fields;
}

function empty(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}
