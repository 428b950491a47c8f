import { ConfigError } from '../errors.ts';
import { keyIssues } from './key-checks.ts';
import { isCryptoKey, keyLabel, type LoadedKey, loadKeys } from './key-import.ts';
import type { KeyAlgorithm, KeyInput, PublicJwk } from './key-types.ts';
import type { AcceptedHeader } from './precheck.ts';

export type {
  AsymmetricAlgorithm,
  AsymmetricKeyInput,
  HmacKeyInput,
  KeyAlgorithm,
  KeyInput,
  PublicJwk,
} from './key-types.ts';

/**
 * Signing and verification keys, rotated without logging anyone out: the first key signs, every
 * key verifies the tokens carrying its `kid`. Holds no secret in any enumerable property;
 * `JSON.stringify` and `util.inspect` show kids and algorithms only.
 */
export interface Keyring {
  /** The kid of the key that signs new tokens (the first key). */
  readonly currentKid: string;
  /** Every key's kid and algorithm, current first. */
  readonly keys: readonly { readonly kid: string; readonly alg: KeyAlgorithm }[];
  /**
   * Imports every key now. Optional (keys are imported once, on first use), but calling it at
   * startup turns a key that cannot be imported into a startup failure instead of a failed request.
   * @throws ConfigError listing every key that failed.
   */
  load(): Promise<void>;
  /**
   * The public keys as a JWKS (`{ keys }`) for other services to verify tokens with, each with
   * `kid`, `alg` and `use: 'sig'`. HS256 secrets are never exported.
   */
  jwks(): Promise<{ keys: PublicJwk[] }>;
  /** `{ currentKid, keys }`: kids and algorithms, never key material. */
  toJSON(): { currentKid: string; keys: readonly { kid: string; alg: KeyAlgorithm }[] };
}

/** Resolved key material of a keyring; reachable only from this package (not exported publicly). */
export interface KeyringState {
  readonly currentKid: string;
  /** The algorithm of the key with this kid, or undefined when the ring has no such key. */
  algOf(kid: string): KeyAlgorithm | undefined;
  /** Header segments the precheck already accepted under `algOf` (see `PrecheckOptions`). */
  readonly headers: Map<string, AcceptedHeader>;
  /** The imported keys by kid (imported once; the same promise every call). */
  load(): Promise<ReadonlyMap<string, LoadedKey>>;
  /** The imported keys once `load()` has resolved, else null: lets the hot path skip an await. */
  loaded(): ReadonlyMap<string, LoadedKey> | null;
}

const states = new WeakMap<Keyring, KeyringState>();

/**
 * Builds a keyring from one or more keys, the current (signing) key first. Validates
 * synchronously and throws one {@link ConfigError} listing every problem; key material is imported
 * lazily, once. The inputs are copied, so later changes to them have no effect.
 *
 * @example
 * ```ts
 * const keyring = createKeyring([
 *   { kid: '2026-02', alg: 'EdDSA', privateKey: process.env.JWT_KEY_2026_02 },
 *   { kid: '2026-01', alg: 'EdDSA', publicKey: process.env.JWT_PUB_2026_01 }, // verify only
 * ]);
 * app.get('/.well-known/jwks.json', async (_req, res) => res.json(await keyring.jwks()));
 * ```
 */
export function createKeyring(keys: readonly KeyInput[]): Keyring {
  const issues: string[] = [];
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError(['keyring: at least one key is required']);
  }
  const seen = new Set<string>();
  // Array.from turns holes into undefined, which keyIssues refuses (forEach would skip them).
  Array.from(keys).forEach((key, index) => {
    issues.push(...keyIssues(key, index === 0));
    if (typeof key?.kid === 'string') {
      if (seen.has(key.kid)) issues.push(`${keyLabel(key.kid)}: duplicate kid`);
      seen.add(key.kid);
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);

  const inputs = keys.map(copyInput);
  const summary = Object.freeze(inputs.map(({ kid, alg }) => Object.freeze({ kid, alg })));
  const currentKid = summary[0]!.kid;
  const state = new KeyMaterial(currentKid, inputs);
  const toJSON = () => ({ currentKid, keys: summary });
  const keyring: Keyring = {
    currentKid,
    keys: summary,
    load: async () => {
      await state.load();
    },
    jwks: async () => {
      const loaded = await state.load();
      return {
        keys: [...loaded.values()].flatMap((k) => (k.publicJwk ? [{ ...k.publicJwk }] : [])),
      };
    },
    toJSON,
  };
  Object.defineProperty(keyring, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `Keyring ${JSON.stringify(toJSON())}`,
  });
  states.set(Object.freeze(keyring), state);
  return keyring;
}

/**
 * A keyring's state. A class, not an object of closures: the hot path's `loaded()` is then one
 * function for every keyring in the process, which V8 keeps inlined when several session
 * managers (each with its own keyring) validate in one process.
 */
class KeyMaterial implements KeyringState {
  readonly currentKid: string;
  readonly headers = new Map<string, AcceptedHeader>();
  readonly algOf: (kid: string) => KeyAlgorithm | undefined;
  readonly #inputs: readonly KeyInput[];
  #loading: Promise<ReadonlyMap<string, LoadedKey>> | undefined;
  #ready: ReadonlyMap<string, LoadedKey> | null = null;

  constructor(currentKid: string, inputs: readonly KeyInput[]) {
    this.currentKid = currentKid;
    this.#inputs = inputs;
    const algs = new Map(inputs.map((k) => [k.kid, k.alg]));
    this.algOf = (kid) => algs.get(kid); // handed to the precheck as a plain function
  }

  load(): Promise<ReadonlyMap<string, LoadedKey>> {
    this.#loading ??= loadKeys(this.#inputs).then((keys) => {
      this.#ready = keys;
      return keys;
    });
    return this.#loading;
  }

  loaded(): ReadonlyMap<string, LoadedKey> | null {
    return this.#ready;
  }
}

/** The key material behind a keyring made by {@link createKeyring}. */
export function keyringState(keyring: Keyring): KeyringState {
  const state = states.get(keyring);
  if (!state) throw new ConfigError(['keyring: not created by createKeyring() of this module']);
  return state;
}

function copyInput(key: KeyInput): KeyInput {
  const copy = <T>(part: T): T =>
    part instanceof Uint8Array
      ? (part.slice() as T)
      : typeof part === 'object' && part !== null && !isCryptoKey(part)
        ? structuredClone(part)
        : part;
  return key.alg === 'HS256'
    ? { kid: key.kid, alg: key.alg, secret: copy(key.secret) }
    : {
        kid: key.kid,
        alg: key.alg,
        privateKey: copy(key.privateKey),
        publicKey: copy(key.publicKey),
      };
}
