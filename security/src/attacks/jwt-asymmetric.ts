import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AsymmetricAlgorithm, SessionManager } from '@sess/core';
import { startTestDemo } from '@sess/example-demo/testing';
import type { Framework } from '../target.ts';

export const ASYMMETRIC_ALGS: readonly AsymmetricAlgorithm[] = ['EdDSA', 'ES256', 'RS256'];

/** A key pair of an algorithm, as node:crypto KeyObjects. */
export function keyPair(alg: AsymmetricAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** The demo app on `framework` with the jwt strategy, signing with an `alg` key pair. */
export interface AsymmetricTarget {
  readonly url: string;
  readonly sess: SessionManager;
  readonly kid: string;
  readonly alg: AsymmetricAlgorithm;
  /** The server's public key: what any attacker can fetch from a JWKS. */
  readonly publicKey: KeyObject;
  /** The server's private key: only to build controls (a valid token the attacker could not make). */
  readonly privateKey: KeyObject;
  close(): Promise<void>;
}

/**
 * The demo itself, signing with an `alg` key pair: with its default random HS256 secret, key
 * confusion would mean nothing.
 */
export async function startAsymmetricTarget(
  framework: Framework,
  alg: AsymmetricAlgorithm,
  pair: { privateKey: KeyObject; publicKey: KeyObject } = keyPair(alg),
): Promise<AsymmetricTarget> {
  const kid = `srv-${alg.toLowerCase()}`;
  const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const demo = await startTestDemo(
    { SESS_FRAMEWORK: framework, SESS_STRATEGY: 'jwt', SESS_STORE: 'memory' },
    { jwtKeys: [{ kid, alg, privateKey }] },
  );
  await demo.sess.keyring!.load();
  return { url: demo.url, sess: demo.sess, kid, alg, ...pair, close: () => demo.close() };
}

/**
 * Every way an attacker could turn a public key into HMAC key bytes (the classic RS256 → HS256
 * confusion, CVE-2015-9235 and its many descendants): SPKI PEM (with and without the final newline,
 * with CRLF), PKCS#1 PEM and DER for RSA, SPKI DER, the JWK as JSON (as exported, and as the
 * keyring publishes it), the whole JWKS document, and the raw public key bytes.
 */
export async function publicKeySpellings(
  publicKey: KeyObject,
  sess: SessionManager,
): Promise<Array<readonly [label: string, key: Uint8Array | string]>> {
  const spki = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const jwk = publicKey.export({ format: 'jwk' });
  const jwks = await sess.keyring!.jwks();
  const spellings: Array<readonly [string, Uint8Array | string]> = [
    ['SPKI PEM', spki],
    ['SPKI PEM without the final newline', spki.trimEnd()],
    ['SPKI PEM with CRLF', spki.replace(/\n/g, '\r\n')],
    ['SPKI DER', publicKey.export({ type: 'spki', format: 'der' })],
    ['JWK JSON', JSON.stringify(jwk)],
    ['published JWK JSON', JSON.stringify(jwks.keys[0])],
    ['JWKS document', JSON.stringify(jwks)],
  ];
  if (publicKey.asymmetricKeyType === 'rsa') {
    spellings.push(
      ['PKCS#1 PEM', publicKey.export({ type: 'pkcs1', format: 'pem' }) as string],
      ['PKCS#1 DER', publicKey.export({ type: 'pkcs1', format: 'der' })],
      ['RSA modulus', Buffer.from(jwk.n ?? '', 'base64url')],
    );
  } else if (publicKey.asymmetricKeyType === 'ec') {
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x ?? '', 'base64url'),
      Buffer.from(jwk.y ?? '', 'base64url'),
    ]);
    spellings.push(['uncompressed EC point', point]);
  } else {
    spellings.push(['raw Ed25519 public key', Buffer.from(jwk.x ?? '', 'base64url')]);
  }
  return spellings;
}

/** A loopback HTTP server that counts every request made to it (the `jku` / `x5u` lure). */
export interface Lure {
  readonly url: string;
  /** Paths requested, in order: must stay empty. */
  readonly hits: string[];
  close(): Promise<void>;
}

/** Starts a lure serving `body` (a JWKS, say) on every path. */
export async function startLure(body: string): Promise<Lure> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
