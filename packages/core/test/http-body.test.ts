import { describe, expect, it } from 'vitest';
import { parsedBody, readBody } from '../src/http/body.ts';
import { resolveHttpAuthOptions } from '../src/http/options.ts';

const stream = (...chunks: (string | Uint8Array)[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks)
        controller.enqueue(typeof c === 'string' ? new TextEncoder().encode(c) : c);
      controller.close();
    },
  });
async function* iterable(...chunks: string[]) {
  yield* chunks;
}

describe('readBody', () => {
  it('reads JSON objects from Web streams and Node-style iterables, any media-type case', async () => {
    expect({ ...(await readBody(stream('{"a":', '1}'), 'application/json', 1024)) }).toEqual({
      a: 1,
    });
    expect({
      ...(await readBody(iterable('{"b":2}'), 'APPLICATION/JSON; charset=utf-8', 1024)),
    }).toEqual({
      b: 2,
    });
    expect({
      ...(await readBody(stream('{"c":3}'), 'application/merge-patch+json', 1024)),
    }).toEqual({ c: 3 });
  });

  it('reads forms with the first of repeated fields', async () => {
    const body = await readBody(
      stream('a=1&a=2&b=x%20y'),
      'application/x-www-form-urlencoded',
      1024,
    );
    expect({ ...body }).toEqual({ a: '1', b: 'x y' });
  });

  it('ignores text/plain and missing types: a cross-site form body is never JSON', async () => {
    expect({ ...(await readBody(stream('{"a":1}'), 'text/plain', 1024)) }).toEqual({});
    expect({ ...(await readBody(stream('{"a":1}'), null, 1024)) }).toEqual({});
    expect({ ...(await readBody(null, 'application/json', 1024)) }).toEqual({});
  });

  it('refuses oversize bodies (413), malformed JSON, non-objects and bad UTF-8 (400)', async () => {
    await expect(readBody(stream('x'.repeat(300)), 'application/json', 256)).rejects.toMatchObject({
      code: 'ERR_SESS_PAYLOAD_TOO_LARGE',
      limit: 256,
    });
    for (const bad of ['{', '[1,2]', '"s"', 'null']) {
      await expect(readBody(stream(bad), 'application/json', 1024)).rejects.toMatchObject({
        code: 'ERR_SESS_BAD_REQUEST',
      });
    }
    await expect(
      readBody(stream(new Uint8Array([0x7b, 0xff, 0x7d])), 'application/json', 1024),
    ).rejects.toMatchObject({ code: 'ERR_SESS_BAD_REQUEST' });
  });

  it('keeps __proto__ as inert data', async () => {
    const body = await readBody(stream('{"__proto__":{"admin":true}}'), 'application/json', 1024);
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect((body as { admin?: unknown }).admin).toBeUndefined();
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
  });
});

describe('parsedBody', () => {
  it('accepts plain objects only', () => {
    expect(parsedBody(undefined)).toBeUndefined();
    expect(parsedBody('text')).toBeUndefined();
    expect(parsedBody([1])).toBeUndefined();
    expect({ ...parsedBody({ a: 1 }) }).toEqual({ a: 1 });
  });
});

describe('resolveHttpAuthOptions', () => {
  it('applies defaults', () => {
    expect(resolveHttpAuthOptions()).toEqual({
      clearSiteData: '"cookies", "storage"',
      retryAfter: 1,
      bodyLimit: 16_384,
      realm: 'sess',
      tokensInBody: true,
    });
    expect(resolveHttpAuthOptions({ clearSiteData: false, tokensInBody: 'never' })).toMatchObject({
      clearSiteData: null,
      tokensInBody: false,
    });
  });

  it('lists every invalid option', () => {
    expect(() =>
      resolveHttpAuthOptions({
        clearSiteData: ['everything' as never],
        retryAfter: -1,
        tokensInBody: 'always' as never,
      }),
    ).toThrow(
      expect.objectContaining({
        issues: [
          'http.clearSiteData: false or a list of cache, cookies, storage, executionContexts, *',
          'http.retryAfter: a whole number of seconds >= 0',
          "http.tokensInBody: 'non-browser' or 'never'",
        ],
      }),
    );
  });
});
