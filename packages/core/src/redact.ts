const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const REDACTED = '[redacted]';

/**
 * Makes `JSON.stringify` and Node's `util.inspect` show `target` with the named fields (and any
 * cookie values) replaced by `[redacted]`. The fields stay readable in code; only their printed
 * forms change, so a result object logged by mistake never leaks a credential.
 */
export function redacted<T extends object>(target: T, secretFields: readonly string[]): T {
  const view = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(target)) {
      if (value === undefined) continue;
      if (secretFields.includes(key)) out[key] = REDACTED;
      else if (key === 'cookies' && Array.isArray(value))
        out[key] = value.map((cookie: { name: string }) => ({
          name: cookie.name,
          value: REDACTED,
        }));
      else out[key] = value;
    }
    return out;
  };
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(target, INSPECT, { value: view, enumerable: false });
  return target;
}

/** Gives an object holding secrets a fixed printed form for `JSON.stringify` and `util.inspect`. */
export function opaque<T extends object>(target: T, printed: Record<string, unknown>): T {
  const view = (): Record<string, unknown> => printed;
  Object.defineProperty(target, 'toJSON', { value: view, enumerable: false });
  Object.defineProperty(target, INSPECT, { value: view, enumerable: false });
  return target;
}
