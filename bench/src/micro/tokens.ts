import assert from 'node:assert/strict';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { SessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { AUDIENCE, benchManager, forgeSignature, ISSUER, JWT_SECRET, USER } from '../fixtures.ts';
import { withOpenTelemetry } from '../http/otel.ts';
import { MIX, pooled, userOf } from '../mixes.ts';
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
  sessMany: 'sess validate, jwt strategy, 10,000 distinct tokens',
  jsonwebtokenMany: 'jsonwebtoken verify, 10,000 distinct tokens',
  hmacMany: 'HMAC-SHA256 floor, 10,000 distinct tokens',
} as const;

/** Distinct tokens (of as many users) validated in turn by the `…Many` rows. */
export const DISTINCT_TOKENS = MIX.users.users;

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
  [MICRO.sessMany]:
    "the default configuration, memory store, 10,000 users' tokens in turn: a token comes back only after 9,999 others, so it is verified afresh unless the cache holds 10,000",
  [MICRO.jsonwebtokenMany]: 'jwt.verify with a KeyObject on the same 10,000 tokens in turn',
  [MICRO.hmacMany]: 'createHmac over the signing inputs of the same 10,000 tokens in turn',
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

  const distinct = await distinctTokens(keyObject, jwtOptions);
  const cases: MicroCase[] = [
    ...distinct.cases,
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

  const before = distinct.counters();
  const summaries = summarizeRuns(await alternate(cases, runs, cpuMs, log));
  const measured = distinct.since(before);
  for (const manager of [sess, cold, observed, db, distinct.sess]) manager.close();
  return cases.map(({ name }) => ({
    name,
    opsPerSec: summaries.get(name)!,
    ...(name === MICRO.sessMany ? measured : {}),
    note: NOTES[name]!,
  }));
}

type Counters = ReturnType<SessionManager['metrics']> & {
  caches?: { accessTokens?: { hits: number; misses: number } };
};

/**
 * sess, jsonwebtoken and raw HMAC on the tokens of 10,000 users, each case taking them in turn:
 * validation as a server with many users does it, where a token comes back only after all the
 * others. Every token is first shown to pass (with its own user) and a forged one to fail. sess's
 * counters give the rows its cache hit rate and its store calls per validation.
 */
async function distinctTokens(keyObject: KeyObject, jwtOptions: jsonwebtoken.VerifyOptions) {
  const sess = benchManager(memoryStore(), 'jwt');
  const tokens: string[] = new Array(DISTINCT_TOKENS);
  await pooled(DISTINCT_TOKENS, 64, async (i) => {
    tokens[i] = (await sess.create(userOf('users', i))).accessToken!;
  });
  const inputs = tokens.map((token) => token.slice(0, token.lastIndexOf('.')));
  for (const [i, token] of tokens.entries()) {
    assert.equal((await sess.validate(token)).userId, userOf('users', i));
    assert.equal(
      (jsonwebtoken.verify(token, keyObject, jwtOptions) as { sub: string }).sub,
      userOf('users', i),
    );
  }
  await refuses(() => sess.validate(forgeSignature(tokens[0]!)));
  await refuses(() => jsonwebtoken.verify(forgeSignature(tokens[0]!), keyObject, jwtOptions));

  const turn = () => {
    let i = 0;
    return () => (i = i + 1 === DISTINCT_TOKENS ? 0 : i + 1);
  };
  const [a, b, c] = [turn(), turn(), turn()];
  let validations = 0;
  const cases: MicroCase[] = [
    {
      name: MICRO.sessMany,
      run: () => {
        validations++;
        return sess.validate(tokens[a()]!);
      },
    },
    {
      name: MICRO.jsonwebtokenMany,
      run: () => jsonwebtoken.verify(tokens[b()]!, keyObject, jwtOptions),
    },
    {
      name: MICRO.hmacMany,
      run: () => createHmac('sha256', keyObject).update(inputs[c()]!).digest(),
    },
  ];
  const counters = () => ({ validations, metrics: sess.metrics() as Counters });
  const since = (
    before: ReturnType<typeof counters>,
  ): Pick<MicroRow, 'cache' | 'storeCallsPerOp'> => {
    const after = counters();
    const n = after.validations - before.validations;
    const calls = Object.entries(after.metrics.store).flatMap(([op, m]) => {
      const made = m.calls - (before.metrics.store[op]?.calls ?? 0);
      return made > 0 ? [[op, Number((made / n).toFixed(4))] as const] : [];
    });
    const [x, y] = [before.metrics.caches?.accessTokens, after.metrics.caches?.accessTokens];
    const hits = x && y ? y.hits - x.hits : 0;
    const lookups = x && y ? hits + y.misses - x.misses : 0;
    const cache = {
      name: 'verified tokens',
      hits,
      lookups,
      hitRate: lookups > 0 ? hits / lookups : null,
    };
    return { cache, storeCallsPerOp: Object.fromEntries(calls) };
  };
  return { sess, cases, counters, since };
}
