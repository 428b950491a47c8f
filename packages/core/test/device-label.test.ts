import { describe, expect, it } from 'vitest';
import { deviceLabel } from '../src/index.ts';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('deviceLabel', () => {
  it.each([
    [CHROME_MAC, 'Chrome 131 on macOS'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      'Firefox 133 on Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Microsoft Edge 131 on Windows',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36',
      'Chrome 131 on Android',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome 131 on Linux',
    ],
  ])('labels %s', (userAgent, label) => {
    expect(deviceLabel(userAgent)).toBe(label);
  });

  it('has no label for what names no browser and no OS, nor for a missing user agent', () => {
    for (const ua of [
      'curl/8.5.0',
      'okhttp/4.12.0',
      'behaviour-suite/1',
      '',
      '   ',
      null,
      undefined,
    ]) {
      expect(deviceLabel(ua)).toBeNull();
    }
  });

  it('bounds an absurdly long user agent: parses a prefix, answers quickly, stays short', () => {
    const padded = `${CHROME_MAC} ${'x; '.repeat(100_000)}`;
    expect(deviceLabel(padded)).toBe('Chrome 131 on macOS');
    const junk = `Mozilla/5.0 (${'a; '.repeat(100_000)})`;
    const label = deviceLabel(junk);
    expect(label === null || label.length <= 64).toBe(true);
  });

  it('never passes control or bidi characters through', () => {
    // An unknown product is named after the user agent's first token: a client's own words.
    expect(deviceLabel('Evil\u202e\u0007Browser/9.1 (X11; Linux x86_64) tail')).toBe(
      'EvilBrowser 9 on Linux',
    );
  });
});
