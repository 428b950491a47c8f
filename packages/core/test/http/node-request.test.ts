import { describe, expect, it } from 'vitest';
import { nodeRequest } from '../../src/http/node-request.ts';

describe('nodeRequest', () => {
  const headers = { authorization: 'Bearer a', cookie: 'x=1; y=2', 'x-list': ['p', 'q'] };

  it('reads headers case-insensitively and joins the repeats Node keeps', () => {
    const req = nodeRequest('GET', headers, '127.0.0.1');
    expect(req.headers.get('Authorization')).toBe('Bearer a');
    expect(req.headers.get('x-list')).toBe('p, q');
    expect(req.headers.get('origin')).toBeNull();
    expect(req.ip).toBe('127.0.0.1');
  });

  it('joins the repeats Node drops, given the raw headers', () => {
    const raw = ['Authorization', 'Bearer a', 'Host', 'h', 'authorization', 'Bearer b'];
    const req = nodeRequest('GET', headers, undefined, raw);
    expect(req.headers.get('authorization')).toBe('Bearer a, Bearer b');
    expect(req.headers.get('cookie')).toBe('x=1; y=2');
    expect(req.ip).toBeNull();
  });

  it('answers a single header as Node parsed it', () => {
    const req = nodeRequest('GET', headers, () => '::1', ['authorization', 'Bearer a']);
    expect(req.headers.get('authorization')).toBe('Bearer a');
    expect(req.ip).toBe('::1');
  });
});
