import { utf8Decoder } from '../util/encoding.ts';

/** Nesting deeper than this is refused: JWT headers and claims are shallow, attackers are not. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Parses UTF-8 bytes as one JSON object under rules stricter than `JSON.parse`: well-formed UTF-8,
 * no byte order mark, no duplicate member names in any object (compared after unescaping, so
 * `"sub"` and `"\u0073ub"` collide), and at most `maxDepth` levels of nesting. Returns null for
 * anything else, so two parsers can never disagree on what a token says.
 */
export function parseStrictJsonObject(
  bytes: Uint8Array,
  maxDepth: number = MAX_JSON_DEPTH,
): Record<string, unknown> | null {
  // TextDecoder silently drops a BOM; RFC 8259 forbids one in JSON text.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return null;
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text); // iterative in V8: no nesting can overflow it
  } catch {
    return null; // the grammar is JSON.parse's to judge
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const object = value as Record<string, unknown>;
  const flat =
    maxDepth >= 1 && text.indexOf('\\') === -1 ? flatMembersWritten(text, object) : undefined;
  if (flat !== undefined) return flat === Object.keys(object).length ? object : null;
  // JSON.parse keeps one member per name, so a duplicate shows as a member written but not kept.
  // The scan bounds the depth first, so counting what was kept never recurses past it.
  const members = countMembers(text, maxDepth);
  return members >= 0 && keptMembers(object) === members ? object : null;
}

/**
 * The members written in `text`, when it parsed to `object`, an object of primitive values, and
 * holds no backslash; undefined for any other shape (the full scan counts then). Without an escape
 * a parsed string holds exactly the characters written, and outside strings a `:` only ever ends
 * a member name: the members written are the colons of the text less those of the names and
 * string values kept. A member written twice leaves its first name, and its value, out of what is
 * kept, so the count comes out higher than the members kept. This is an access token's payload,
 * counted without a pass over every character.
 */
function flatMembersWritten(text: string, object: Record<string, unknown>): number | undefined {
  let inside = 0;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (typeof value === 'object' && value !== null) return undefined;
    inside += colonsIn(key) + (typeof value === 'string' ? colonsIn(value) : 0);
  }
  return colonsIn(text) - inside;
}

function colonsIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) count++;
  return count;
}

/**
 * The members written in `text` (one `:` outside strings each), or -1 past `maxDepth`. Exact for
 * valid JSON, where a `"` outside a string always opens one and a `\` inside escapes the next
 * character; anything invalid is refused by JSON.parse afterwards.
 */
function countMembers(text: string, maxDepth: number): number {
  let members = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i + 1);
    } else if (c === COLON) {
      members++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return -1;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return members;
}

/**
 * The index of the `"` that closes a string whose content starts at `from` (text.length when none):
 * the first one preceded by an even number of backslashes. Found with indexOf, which outruns a
 * loop over every character of a token's long string values.
 */
function closingQuote(text: string, from: number): number {
  for (let start = from; ; ) {
    const quote = text.indexOf('"', start);
    if (quote === -1) return text.length;
    let before = quote - 1;
    while (before >= from && text.charCodeAt(before) === BACKSLASH) before--;
    if ((quote - 1 - before) % 2 === 0) return quote;
    start = quote + 1;
  }
}

/** Members of every object in a parsed value (depth already bounded by the scan). */
function keptMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += keptMembers(item);
    return count;
  }
  for (const key of Object.keys(value)) {
    count += 1 + keptMembers((value as Record<string, unknown>)[key]);
  }
  return count;
}
