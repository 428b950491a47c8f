import { describe, expect, it } from 'vitest';
import { checkFetchMetadata } from '../../src/csrf/fetch-metadata.ts';
import { request } from './request.ts';

const withSite = (site: string) => request('POST', { 'sec-fetch-site': site });

describe('checkFetchMetadata', () => {
  it('rejects cross-site requests, whatever the options', () => {
    expect(checkFetchMetadata(withSite('cross-site'))).toBe('cross-site');
    expect(checkFetchMetadata(withSite('cross-site'), { allowSameSite: true })).toBe('cross-site');
  });

  it('accepts same-origin and user-initiated (none) requests', () => {
    expect(checkFetchMetadata(withSite('same-origin'))).toBeNull();
    expect(checkFetchMetadata(withSite('none'))).toBeNull();
  });

  it('rejects same-site by default (sibling subdomains are an attack source)', () => {
    expect(checkFetchMetadata(withSite('same-site'))).toBe('same-site');
    expect(checkFetchMetadata(withSite('same-site'), { allowSameSite: false })).toBe('same-site');
  });

  it('accepts same-site only when configured', () => {
    expect(checkFetchMetadata(withSite('same-site'), { allowSameSite: true })).toBeNull();
  });

  it('fails closed on an unknown value', () => {
    expect(checkFetchMetadata(withSite('same-planet'))).toBe('cross-site');
    expect(checkFetchMetadata(withSite(''))).toBe('cross-site');
  });

  it('normalises case', () => {
    expect(checkFetchMetadata(withSite('Cross-Site'))).toBe('cross-site');
    expect(checkFetchMetadata(withSite('SAME-ORIGIN'))).toBeNull();
  });

  it('lets a request without the header through to the next checks', () => {
    expect(checkFetchMetadata(request('POST'))).toBeNull();
  });
});
