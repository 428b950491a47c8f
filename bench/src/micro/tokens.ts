import assert from 'node:assert/strict';
import { createHmac, createSecretKey } from 'node:crypto';
import { memoryStore } from '@sess/core/memory';
import { jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { AUDIENCE, benchManager, forgeSignature, ISSUER, JWT_SECRET, USER } from '../fixtures.ts';
import { withOpenTelemetry } from '../http/otel.ts';
import type { MicroRow } from '../results.ts';
import { alternate, type MicroCase, summarizeRuns } from './alternate.ts';

/** The names the targets refer to. */
export const MICRO = {
  sess: 'sess validate, jwt strategy',
  sessCold: 'sess validate, jwt strategy, token cache off',
  sessOtel: 'sess validate, jwt strategy, with @sess/opentelemetry',
  jose: 'jose jwtVerify',
  jsonwebtoken: 'jsonwebtoken verify',
  hmac: 'HMAC-SHA256 floor',
  credential: 'sess validate, database strategy, memory store',
} as const;

const NOTES: Record<string, string> = {
  [MICRO.sess]:
    'SessionManager.validate(accessToken): the default configuration; a repeated token is answered from the verified-token cache, revocation checked',
  [MICRO.sessCold]:
    'the same with jwt.tokenCacheSize 0: strict precheck, synchronous HMAC, claims, revocation on every call',
  [MICRO.sessOtel]:
    'the default configuration with the OpenTelemetry SDK registered and instrumentSess/instrumentStore on (validate spans off)',
  [MICRO.jose]: 'jwtVerify with a pre-imported CryptoKey; iss, aud, typ and alg checked',
  [MICRO.jsonwebtoken]: 'jwt.verify with a KeyObject; iss, aud and alg checked (no typ check)',
  [MICRO.hmac]: 'createHmac over the same signing input: the cost of the signature alone',
  [MICRO.credential]:
    'SessionManager.validate(credential): store read, SHA-256 of the secret, expiry, watermark, no write',
};

/** Rejects, or throws synchronously: either way the forged token must not pass. */
async function refuses(run: () => unknown): Promise<void> {
  await assert.rejects(async () => run());
}

/**
 * Access-token validation by sess, jose and jsonwebtoken on the same sess-issued token and key,
 * with raw HMAC as the floor; plus session-credential validation on the memory store. Every
 * contender is first shown to accept the token and refuse a forged one.
 */
export async function benchTokens(
  runs: number,
  cpuMs: number,
  log: (line: string) => void,
): Promise<MicroRow[]> {
  const sess = benchManager(memoryStore(), 'jwt');
  const cold = benchManager(memoryStore(), 'jwt', { tokenCacheSize: 0 });
  const otel = withOpenTelemetry(memoryStore());
  const observed = benchManager(otel.store, 'jwt');
  otel.instrument(observed);
  const { accessToken } = await sess.create(USER);
  const token = accessToken!;
  const forged = forgeSignature(token);
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(JWT_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const keyObject = createSecretKey(Buffer.from(JWT_SECRET));
  const joseOptions = {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
  };
  const jwtOptions: jsonwebtoken.VerifyOptions = {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
  };
  const input = token.slice(0, token.lastIndexOf('.'));
  const signature = token.slice(token.lastIndexOf('.') + 1);

  const db = benchManager(memoryStore(), 'database');
  const { credential } = await db.create(USER);

  const cases: MicroCase[] = [
    { name: MICRO.sess, run: () => sess.validate(token) },
    { name: MICRO.sessCold, run: () => cold.validate(token) },
    { name: MICRO.sessOtel, run: () => observed.validate(token) },
    { name: MICRO.jose, run: () => jwtVerify(token, cryptoKey, joseOptions) },
    { name: MICRO.jsonwebtoken, run: () => jsonwebtoken.verify(token, keyObject, jwtOptions) },
    { name: MICRO.hmac, run: () => createHmac('sha256', keyObject).update(input).digest() },
    { name: MICRO.credential, run: () => db.validate(credential) },
  ];

  // A benchmark of a contender that accepts anything is worthless: prove each one first.
  assert.equal((await sess.validate(token)).userId, USER);
  assert.equal((await cold.validate(token)).userId, USER);
  assert.equal((await observed.validate(token)).userId, USER);
  assert.equal((await jwtVerify(token, cryptoKey, joseOptions)).payload.sub, USER);
  assert.equal((jsonwebtoken.verify(token, keyObject, jwtOptions) as { sub: string }).sub, USER);
  assert.equal(createHmac('sha256', keyObject).update(input).digest('base64url'), signature);
  assert.equal((await db.validate(credential)).userId, USER);
  await refuses(() => sess.validate(forged));
  await refuses(() => cold.validate(forged));
  await refuses(() => observed.validate(forged));
  await refuses(() => jwtVerify(forged, cryptoKey, joseOptions));
  await refuses(() => jsonwebtoken.verify(forged, keyObject, jwtOptions));
  await refuses(() => db.validate(forgeSignature(credential)));

  const summaries = summarizeRuns(await alternate(cases, runs, cpuMs, log));
  return cases.map(({ name }) => ({ name, opsPerSec: summaries.get(name)!, note: NOTES[name]! }));
}
