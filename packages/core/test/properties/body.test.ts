/**
 * Request bodies: random bytes, chunkings, content types, limits and nesting. `readBody` returns a
 * prototype-free record equal to what the body says, or throws 400/413 only; 413 exactly when the
 * body is over the limit; and a type a cross-site form can send never reads as JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BodySource, isFormType, parsedBody, readBody } from '../../src/http/body.ts';
import { anyString, anyValue, expectTyped, MARKER, marked, settle, settleSync } from './support.ts';

const JSON_TYPES = [
  'application/json',
  'APPLICATION/JSON; charset=utf-8',
  'application/vnd.api+json',
];
const FORM_TYPES = ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded; x=1'];
const OTHER_TYPES = [
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'json',
  '',
];

const contentType = fc.oneof(
  fc.constantFrom(...JSON_TYPES, ...FORM_TYPES, ...OTHER_TYPES, null, undefined),
  anyString,
);

const nested = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([depth, open, closed]) => {
    const close = open === '[' ? ']' : '}';
    return `{"x":${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}}`;
  });

const text = fc.oneof(
  fc.json(),
  fc.dictionary(marked(), fc.jsonValue()).map((o) => JSON.stringify(o)),
  fc.constantFrom(
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    'a=1&a=2&__proto__=x',
  ),
  nested,
  anyString,
);

const bytes = fc.oneof(
  text.map((t) => new TextEncoder().encode(t)),
  fc.uint8Array({ maxLength: 256 }),
  fc.constant(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), // a BOM before {}
  fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), // invalid UTF-8
);

/** Splits bytes into chunks at random points, delivered as a Web stream, a Node-like iterable or strings. */
const body = fc
  .tuple(
    bytes,
    fc.array(fc.nat(), { maxLength: 6 }),
    fc.constantFrom('stream', 'iterable', 'string'),
  )
  .map(([all, cuts, kind]) => {
    const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let start = 0;
    for (const p of [...points, all.length]) {
      chunks.push(all.slice(start, p));
      start = p;
    }
    return { all, chunks, kind };
  });

function sourceOf({ chunks, kind }: { chunks: Uint8Array[]; kind: string }): BodySource {
  if (kind === 'stream') {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
  }
  if (kind === 'string') {
    // Strings arrive whole: decode the bytes once (lossy for invalid UTF-8, as a stream would be).
    const decoded = new TextDecoder().decode(Buffer.concat(chunks));
    return (async function* () {
      yield decoded;
    })();
  }
  return (async function* () {
    yield* chunks;
  })();
}

const media = (type: string | null | undefined): string =>
  typeof type === 'string' ? (type.split(';')[0] ?? '').trim().toLowerCase() : '';

describe('request bodies', () => {
  it('readBody returns the body as a prototype-free record, or throws 400/413 only', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        fc.integer({ min: 0, max: 300_000 }),
        async (b, type, limit) => {
          const source = sourceOf(b);
          const size =
            b.kind === 'string'
              ? new TextEncoder().encode(new TextDecoder().decode(b.all)).byteLength
              : b.all.byteLength;
          const settled = await settle(() => readBody(source, type, limit));
          const m = media(type);
          const isJson = /^application\/(?:[\w.+-]+\+)?json$/.test(m);
          const isForm = m === 'application/x-www-form-urlencoded';
          if (!isJson && !isForm) {
            // Never read, never JSON: whatever the bytes.
            expect(settled.ok).toBe(true);
            if (settled.ok) expect(Object.keys(settled.value)).toEqual([]);
            return;
          }
          if (!settled.ok) {
            expectTyped(settled.error, ['ERR_SESS_BAD_REQUEST', 'ERR_SESS_PAYLOAD_TOO_LARGE']);
            const code = (settled.error as { code: string }).code;
            expect(code === 'ERR_SESS_PAYLOAD_TOO_LARGE').toBe(size > limit);
            return;
          }
          expect(size).toBeLessThanOrEqual(limit);
          const fields = settled.value;
          expect(Object.getPrototypeOf(fields)).toBeNull();
          const decoded = new TextDecoder('utf-8', { fatal: true }).decode(
            b.kind === 'string' ? new TextEncoder().encode(new TextDecoder().decode(b.all)) : b.all,
          );
          if (isJson && decoded.length > 0) {
            // Keys and primitive values: a deep comparison would overflow on deeply nested bodies.
            const parsed = JSON.parse(decoded) as Record<string, unknown>;
            expect(Object.keys(fields)).toEqual(Object.keys(parsed));
            for (const [k, v] of Object.entries(parsed)) {
              if (typeof v !== 'object' || v === null) expect(fields[k]).toBe(v);
            }
          }
          for (const value of Object.values(fields)) expect(value).not.toBe(undefined);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('an endless body stops at the limit with 413: reading never hangs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.constantFrom(...JSON_TYPES, ...FORM_TYPES),
        fc.integer({ min: 0, max: 20_000 }),
        async (chunk, type, limit) => {
          const endless = (async function* () {
            for (;;) yield chunk;
          })();
          const settled = await settle(() => readBody(endless, type, limit));
          expect(settled.ok).toBe(false);
          if (!settled.ok) expectTyped(settled.error, ['ERR_SESS_PAYLOAD_TOO_LARGE']);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('parsedBody and isFormType take any value without throwing', () => {
    fc.assert(
      fc.property(anyValue, fc.oneof(anyString, fc.constantFrom(...FORM_TYPES)), (value, type) => {
        const parsed = settleSync(() => parsedBody(value));
        expect(parsed.ok).toBe(true);
        if (parsed.ok && parsed.value !== undefined) {
          expect(Object.getPrototypeOf(parsed.value)).toBeNull();
        }
        expect(isFormType(type)).toBe(media(type) === 'application/x-www-form-urlencoded');
      }),
      { numRuns: 400 },
    );
  });

  it('a refused body is never quoted in the error', async () => {
    await fc.assert(
      fc.asyncProperty(marked(fc.string({ maxLength: 40 })), async (junk) => {
        const source = (async function* () {
          yield `[${junk}`; // invalid JSON, or an array: never a JSON object
        })();
        const settled = await settle(() => readBody(source, 'application/json', 1 << 16));
        expect(settled.ok).toBe(false);
        if (!settled.ok) expectTyped(settled.error, ['ERR_SESS_BAD_REQUEST'], [MARKER, junk]);
      }),
      { numRuns: 200 },
    );
  });
});
