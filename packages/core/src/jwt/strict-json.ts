import { utf8Decoder } from '../util/encoding.ts';

/** Nesting deeper than this is refused: JWT headers and claims are shallow, attackers are not. */
export const MAX_JSON_DEPTH = 32;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES = '"\\/bfnrt';

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
  if (text.charCodeAt(skipWhitespace(text, 0)) !== 0x7b || !isStrictJson(text, maxDepth))
    return null;
  return JSON.parse(text) as Record<string, unknown>;
}

function skipWhitespace(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; ) {
    c = text.charCodeAt(++i);
  }
  return i;
}

/** A validating scanner (no values built): grammar, duplicate names, depth. */
function isStrictJson(text: string, maxDepth: number): boolean {
  let i = 0;

  /** Scans a string literal at `i`; returns its decoded value, or null when invalid. */
  const string = (): string | null => {
    const start = i++;
    let escaped = false;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const raw = text.slice(start, ++i);
        return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      }
      if (c < 0x20) return null;
      if (c === 0x5c) {
        escaped = true;
        const next = text[i + 1];
        if (next === 'u' && HEX4.test(text.slice(i + 2, i + 6))) i += 6;
        else if (next !== undefined && SIMPLE_ESCAPES.includes(next)) i += 2;
        else return null;
      } else i++;
    }
    return null;
  };

  const value = (depth: number): boolean => {
    i = skipWhitespace(text, i);
    const c = text[i];
    if (c === '{' || c === '[') return depth < maxDepth && container(c === '{', depth + 1);
    if (c === '"') return string() !== null;
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return true;
      }
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) return false;
    i = NUMBER.lastIndex;
    return true;
  };

  const container = (isObject: boolean, depth: number): boolean => {
    const close = isObject ? '}' : ']';
    const names = isObject ? new Set<string>() : null;
    i = skipWhitespace(text, i + 1);
    if (text[i] === close) {
      i++;
      return true;
    }
    for (;;) {
      if (names) {
        if (text[i] !== '"') return false;
        const name = string();
        if (name === null || names.has(name)) return false;
        names.add(name);
        i = skipWhitespace(text, i);
        if (text[i++] !== ':') return false;
      }
      if (!value(depth)) return false;
      i = skipWhitespace(text, i);
      const next = text[i++];
      if (next === close) return true;
      if (next !== ',') return false;
      i = skipWhitespace(text, i);
    }
  };

  return value(0) && skipWhitespace(text, i) === text.length;
}
