// The key types on their own, so the modules that check, import and use keys depend on them
// without depending on each other. jose's key types resolve to the platform's CryptoKey where one is
// declared and to a structural stand-in elsewhere, so the published types compile without the DOM lib.
import type { CryptoKey, JWK } from 'jose';

/**
 * The asymmetric signature algorithms a {@link Keyring} accepts: `EdDSA` (Ed25519), `ES256` (ECDSA
 * P-256) and `RS256` (RSASSA-PKCS1-v1_5 with SHA-256). Prefer `EdDSA` or `ES256`; `RS256` is for
 * verifiers that speak nothing else, and its signatures are longer (342 characters at 2048 bits,
 * against 86).
 */
export type AsymmetricAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** The signature algorithms a {@link Keyring} accepts. */
export type KeyAlgorithm = 'HS256' | AsymmetricAlgorithm;

/** A shared HMAC-SHA256 secret. Every service holding it can both verify and mint tokens. */
export interface HmacKeyInput {
  /** Key id, written into each token's header; printable ASCII, unique in the ring. */
  kid: string;
  alg: 'HS256';
  /**
   * At least 32 random bytes (a string counts its UTF-8 bytes), for example
   * `base64url(crypto.getRandomValues(new Uint8Array(32)))`. Well-known example secrets and
   * repeated patterns are refused. A `CryptoKey` must be HMAC SHA-256 with `sign` and `verify`;
   * it is used as given, on Web Crypto only (its bytes are never exported), so pass the bytes
   * instead to let Node, Bun and Deno compute HS256 synchronously on node:crypto.
   */
  secret: string | Uint8Array | CryptoKey;
}

/** An asymmetric key pair: the private part signs, the public part verifies and is published. */
export interface AsymmetricKeyInput {
  /** Key id, written into each token's header and the JWKS; printable ASCII, unique in the ring. */
  kid: string;
  /**
   * `EdDSA` (Ed25519), `ES256` (ECDSA P-256) or `RS256` (RSASSA-PKCS1-v1_5 SHA-256). An RS256 key
   * needs a modulus of at least 2048 bits and the public exponent 65537; a `CryptoKey` must have
   * been imported or generated for RSASSA-PKCS1-v1_5 with SHA-256.
   */
  alg: AsymmetricAlgorithm;
  /**
   * PKCS#8 PEM, a private JWK, or a private `CryptoKey`. Required for the first (signing) key;
   * omit it on a previous key kept only to verify tokens it signed. Checked at load to sign
   * something that `publicKey` verifies.
   */
  privateKey?: string | JWK | CryptoKey;
  /**
   * SPKI PEM, a public JWK, or an extractable public `CryptoKey`. Derived from `privateKey` when
   * omitted (which then must not be a non-extractable `CryptoKey`); checked against it when both
   * are given.
   */
  publicKey?: string | JWK | CryptoKey;
}

/**
 * A published public key: the public members only (`kty` and `crv`, `x`, `y` for curves; `kty`,
 * `n`, `e` for RSA) with the `kid`, `alg` and `use` of its keyring entry.
 */
export type PublicJwk = JWK & { kid: string; alg: AsymmetricAlgorithm; use: 'sig' };

/** One key of a {@link Keyring}. */
export type KeyInput = HmacKeyInput | AsymmetricKeyInput;
