import { parse } from 'bowser';

// Real user agents stay under about 500 characters; the cap bounds the parser's work on a
// crafted one, and what lies past it never decides a browser or an OS.
const MAX_INPUT = 1024;
const MAX_LABEL = 64;
// Control and format characters (bidi overrides among them) must not reach a device list.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A short label people can read for a user agent, such as `Chrome 131 on macOS`, `Safari 17 on
 * iOS` or `Firefox 133 on Windows`; `null` when the user agent is missing or names no known browser
 * and no known OS (a script's `curl/8.5.0`). Computed from the raw user agent whenever it is shown,
 * never stored, so a better parser relabels every existing session. Parsed with
 * [bowser](https://github.com/bowser-js/bowser) (MIT); runs on every runtime core runs on.
 *
 * The browser's major version only, and the OS without its version: browsers freeze the OS
 * version in their user agents (every macOS reads 10.15.7, Windows 11 reads as NT 10.0), so a
 * version there would mislead. The label is derived from text the client sent: escape it
 * wherever it is rendered, like the user agent itself.
 *
 * @example
 * ```ts
 * deviceLabel('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
 * // 'Chrome 131 on macOS'
 * deviceLabel('curl/8.5.0'); // null
 * ```
 */
export function deviceLabel(userAgent: string | null | undefined): string | null {
  if (typeof userAgent !== 'string') return null;
  const input = userAgent.slice(0, MAX_INPUT).trim();
  if (input === '') return null;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(input);
  } catch {
    return null; // a label is a nicety: an input the parser cannot take has none
  }
  const browser = clean(parsed.browser.name);
  const major = clean(parsed.browser.version?.split('.')[0]);
  const os = clean(parsed.os.name);
  const named = browser && major ? `${browser} ${major}` : browser;
  const label = named && os ? `${named} on ${os}` : (named ?? os);
  return label === null ? null : label.slice(0, MAX_LABEL);
}

function clean(value: string | undefined): string | null {
  const text = value?.replace(UNPRINTABLE, '').trim();
  return text ? text : null;
}
