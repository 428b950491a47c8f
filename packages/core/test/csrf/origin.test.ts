import { describe, expect, it } from 'vitest';
import { checkOrigin, normalizeOrigin } from '../../src/csrf/origin.ts';
import { request } from './request.ts';

const TRUSTED = ['https://app.example.com', 'http://localhost:3000'];
const fromOrigin = (origin: string) => checkOrigin(request('POST', { origin }), TRUSTED);
const fromReferer = (referer: string) => checkOrigin(request('POST', { referer }), TRUSTED);

describe('normalizeOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['https://app.example.com/', 'https://app.example.com'],
    ['HTTPS://APP.Example.COM', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://localhost:80', 'http://localhost'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeOrigin(input)).toBe(expected);
  });

  it.each([
    'null',
    '',
    'app.example.com',
    'https://app.example.com/path',
    'https://app.example.com/?q=1',
    'https://app.example.com?',
    'https://app.example.com#x',
    'https://user:pass@app.example.com',
    'ftp://app.example.com',
    'javascript:alert(1)',
    'file:///etc/passwd',
    ' https://app.example.com',
    'https://app.exa\tmple.com',
    'https://*.example.com',
    'https://app.example.com.',
  ])('refuses %j', (input) => {
    expect(normalizeOrigin(input)).toBeNull();
  });
});

describe('checkOrigin', () => {
  it('accepts an exactly trusted origin', () => {
    expect(fromOrigin('https://app.example.com')).toBeNull();
    expect(fromOrigin('http://localhost:3000')).toBeNull();
  });

  it('normalises the header: upper-case host, trailing slash, explicit default port', () => {
    expect(fromOrigin('https://APP.EXAMPLE.COM')).toBeNull();
    expect(fromOrigin('https://app.example.com/')).toBeNull();
    expect(fromOrigin('https://app.example.com:443')).toBeNull();
  });

  it('normalises the trusted list (trailing slash, upper case)', () => {
    const req = request('POST', { origin: 'https://app.example.com' });
    expect(checkOrigin(req, ['HTTPS://App.Example.com/'])).toBeNull();
  });

  it.each([
    'https://app.example.com.evil.com',
    'https://evilapp.example.com',
    'https://app.example.co',
    'https://example.com',
    'https://evil.com',
    'https://app.example.com@evil.com',
  ])('rejects the lookalike %s', (origin) => {
    expect(fromOrigin(origin)).toBe('origin-untrusted');
  });

  it('rejects a scheme mismatch', () => {
    expect(fromOrigin('http://app.example.com')).toBe('origin-untrusted');
    expect(fromOrigin('https://localhost:3000')).toBe('origin-untrusted');
  });

  it('rejects a port mismatch', () => {
    expect(fromOrigin('https://app.example.com:8443')).toBe('origin-untrusted');
    expect(fromOrigin('http://localhost:3001')).toBe('origin-untrusted');
    expect(fromOrigin('http://localhost')).toBe('origin-untrusted');
  });

  it('rejects a malformed Origin, or one carrying a path', () => {
    expect(fromOrigin('not a url')).toBe('origin-untrusted');
    expect(fromOrigin('https://app.example.com/login')).toBe('origin-untrusted');
    expect(fromOrigin('https://app.example.com, https://evil.com')).toBe('origin-untrusted');
  });

  it('rejects Origin: null, even with a trusted Referer or allowMissingOrigin', () => {
    const req = request('POST', { origin: 'null', referer: 'https://app.example.com/form' });
    expect(checkOrigin(req, TRUSTED)).toBe('origin-null');
    expect(checkOrigin(req, TRUSTED, { allowMissingOrigin: true })).toBe('origin-null');
  });

  it('prefers Origin over Referer', () => {
    const req = request('POST', {
      origin: 'https://evil.com',
      referer: 'https://app.example.com/',
    });
    expect(checkOrigin(req, TRUSTED)).toBe('origin-untrusted');
  });

  describe('Referer fallback', () => {
    it('accepts a Referer from a trusted origin, whatever its path and query', () => {
      expect(fromReferer('https://app.example.com/settings?tab=1#x')).toBeNull();
      expect(fromReferer('HTTPS://APP.EXAMPLE.COM:443/')).toBeNull();
    });

    it('rejects a lookalike Referer', () => {
      expect(fromReferer('https://app.example.com.evil.com/')).toBe('origin-untrusted');
      expect(fromReferer('https://evilapp.example.com/')).toBe('origin-untrusted');
      expect(fromReferer('https://evil.com/https://app.example.com/')).toBe('origin-untrusted');
    });

    it('rejects a malformed Referer', () => {
      expect(fromReferer('/relative/path')).toBe('origin-untrusted');
      expect(fromReferer('not a url')).toBe('origin-untrusted');
      expect(fromReferer('javascript:alert(1)')).toBe('origin-untrusted');
    });
  });

  it('rejects a request with neither header by default', () => {
    expect(checkOrigin(request('POST'), TRUSTED)).toBe('origin-missing');
  });

  it('accepts a request with neither header only with allowMissingOrigin', () => {
    expect(checkOrigin(request('POST'), TRUSTED, { allowMissingOrigin: true })).toBeNull();
    // The flag never relaxes the check of a header that is present.
    const evil = request('POST', { origin: 'https://evil.com' });
    expect(checkOrigin(evil, TRUSTED, { allowMissingOrigin: true })).toBe('origin-untrusted');
  });

  it('ignores invalid entries of the trusted list instead of matching them loosely', () => {
    const req = request('POST', { origin: 'https://app.example.com' });
    expect(checkOrigin(req, ['https://app.example.com/path', '*.example.com'])).toBe(
      'origin-untrusted',
    );
  });
});
