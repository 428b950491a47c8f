import type { Attributes } from '@opentelemetry/api';

/** Distinct values kept per attribute; any further value is recorded as `other`. */
export const MAX_VALUES = 32;
/** What a label value may look like: codes and names, never free text. */
const LABEL = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Attribute sets keyed by their label values, built once and reused: recording a counter
 * allocates nothing after the first event of each kind, and a value outside the vocabulary (or
 * past {@link MAX_VALUES} distinct ones) becomes `other`, so cardinality stays bounded whatever
 * the events carry.
 */
export class AttributeCache {
  readonly #keys: readonly string[];
  readonly #fixed: Attributes;
  readonly #seen: Set<string>[];
  readonly #sets = new Map<string, Attributes>();

  constructor(keys: readonly string[], fixed: Attributes = {}) {
    this.#keys = keys;
    this.#fixed = fixed;
    this.#seen = keys.map(() => new Set());
  }

  /** The attribute set for these values, in the order of the keys given to the constructor. */
  get(...values: unknown[]): Attributes {
    const id = values.length === 1 ? String(values[0]) : values.join('\u0000');
    const known = this.#sets.get(id);
    if (known !== undefined) return known;
    const attributes: Attributes = { ...this.#fixed };
    this.#keys.forEach((key, i) => {
      attributes[key] = this.#bound(i, values[i]);
    });
    // The bounded values repeat, so the map holds at most (MAX_VALUES + 1) ^ keys entries; raw
    // ids beyond that are not cached (they map to a bounded set anyway).
    if (this.#sets.size < 4096) this.#sets.set(id, Object.freeze(attributes));
    return attributes;
  }

  #bound(i: number, value: unknown): string | boolean {
    if (typeof value === 'boolean') return value;
    const seen = this.#seen[i]!;
    const text = typeof value === 'string' ? value : String(value ?? 'none');
    if (seen.has(text)) return text;
    if (!LABEL.test(text) || seen.size >= MAX_VALUES) return 'other';
    seen.add(text);
    return text;
  }
}

/** A thrown value's code or class name: safe as `error.type` (never its message, which may echo input). */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && LABEL.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && LABEL.test(name)) return name;
  }
  return '_OTHER';
}
