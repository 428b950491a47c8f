import { describe, expect, it } from 'vitest';
import { type CsrfOptions, resolveCsrfConfig } from '../../src/csrf/config.ts';

const issuesOf = (options: unknown) => resolveCsrfConfig(options as CsrfOptions).issues;

describe('resolveCsrfConfig', () => {
  it('normalises and de-duplicates trusted origins, with frozen results', () => {
    const { value, issues } = resolveCsrfConfig({
      trustedOrigins: [
        'https://App.Example.com/',
        'https://app.example.com:443',
        'http://localhost:3000',
      ],
    });
    expect(issues).toEqual([]);
    expect(value.trustedOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.trustedOrigins)).toBe(true);
  });

  it('requires at least one trusted origin', () => {
    expect(issuesOf({})).toEqual([expect.stringMatching(/^trustedOrigins: /)]);
    expect(issuesOf({ trustedOrigins: [] })).toEqual([expect.stringMatching(/^trustedOrigins: /)]);
  });

  it.each([
    'https://app.example.com/login',
    'app.example.com',
    '*.example.com',
    'https://*.example.com',
    'null',
    'ftp://files.example.com',
    'https://app.example.com?x',
  ])('refuses the trusted origin %j', (origin) => {
    expect(issuesOf({ trustedOrigins: [origin] })).toEqual([
      expect.stringMatching(/^trustedOrigins\[0\]: .* is not an http\(s\) origin/),
    ]);
  });

  it('validates the header name: a token, and one that forces a CORS preflight', () => {
    const base = { trustedOrigins: ['https://a.example'] };
    expect(resolveCsrfConfig({ ...base, headerName: 'X-Custom' }).value.headerName).toBe(
      'x-custom',
    );
    expect(issuesOf({ ...base, headerName: 'bad header' })).toHaveLength(1);
    expect(issuesOf({ ...base, headerName: '' })).toHaveLength(1);
    expect(issuesOf({ ...base, headerName: 'Content-Type' })).toEqual([
      expect.stringContaining('CORS preflight'),
    ]);
  });

  it('reports every problem at once', () => {
    const issues = issuesOf({
      trustedOrigins: ['nope'],
      mode: 'magic',
      formField: '',
      allowSameSite: 'yes',
      allowMissingOrigin: 1,
      secret: 'x',
    });
    expect(issues).toHaveLength(6);
    expect(issues).toContain('secret: unknown option');
  });

  it('never throws on nonsense', () => {
    expect(issuesOf(null)).toContain('must be an object');
    expect(issuesOf('x')).toContain('must be an object');
  });
});
