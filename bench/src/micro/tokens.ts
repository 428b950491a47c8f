import assert from 'node:assert/strict';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { SessionManager } from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { AUDIENCE, benchManager, forgeSignature, ISSUER, JWT_SECRET, USER } from '../fixtures.ts';
import { withOpenTelemetry } from '../http/otel.ts';
import { MIX, type MixName, pooled, userOf } from '../mixes.ts';
import { randomOrder } from '../random-order.ts';
import type { MicroRow } from '../results.ts';
import { alternate, type MicroCase, summarizeRuns } from './alternate.ts';

/** The names the targets refer to. */
export const MICRO = {
  sess: 'sess validate, jwt strategy',
  sessCold: 'sess validate, jwt strategy, token cache off',
  sessUsers: 'sess validate, jwt strategy, 10,000 users',
  sessOtel: 'sess validate, jwt strategy, 10,000 users, with @sess/opentelemetry',
  jose: 'jose jwtVerify',
  jsonwebtoken: 'jsonwebtoken verify',
  hmac: 'HMAC-SHA256 floor',
  credential: 'sess validate, database strategy, memory store',
  sessMany: 'sess validate, jwt strategy, 20,000 distinct tokens',
  sessManyUncached: 'sess validate, jwt strategy, 20,000 distinct tokens, token cache off',
  jsonwebtokenMany: 'jsonwebtoken verify, 20,000 distinct tokens',
  hmacMany: 'HMAC-SHA256 floor, 20,000 distinct tokens',
} as const;

/** The pairs a target compares, measured interleaved (see `interleaved`). */
const TOGETHER = [
  [MICRO.sessManyUncached, MICRO.jsonwebtokenMany],
  [MICRO.sessOtel, MICRO.sessUsers],
] as const;

/**
 * Distinct tokens (of as many users) validated in turn by the `…Many` rows: the cold mix, twice
 * sess's verified-token cache, so every validation is a full one, whatever the eviction policy.
 */
export const DISTINCT_TOKENS = MIX.cold.users;

/** The 10,000-user rows' random order: its length (a power of two) and seed. */
const ORDER_LENGTH = 1 << 16;
const ORDER_SEED = 22;

const NOTES: Record<string, string> = {
  [MICRO.sess]:
    'SessionManager.validate(accessToken): the default configuration; a repeated token is answered from the verified-token cache, revocation checked',
  [MICRO.sessCold]:
    'the same with jwt.tokenCacheSize 0: strict precheck, synchronous HMAC, claims, revocation on every call',
  [MICRO.sessUsers]:
    "the default configuration, memory store, the tokens of the 10,000-user mix in its random order: each validation a cache hit on another user's token, as a server sees them",
  [MICRO.sessOtel]:
    'the same tokens and order, with the OpenTelemetry SDK registered and instrumentSess/instrumentStore on (validate spans off); measured interleaved with the row without it, batches of about 1 ms in turn',
  [MICRO.jose]: 'jwtVerify with a pre-imported CryptoKey; iss, aud, typ and alg checked',
  [MICRO.jsonwebtoken]: 'jwt.verify with a KeyObject; iss, aud and alg checked (no typ check)',
  [MICRO.hmac]: 'createHmac over the same signing input: the cost of the signature alone',
  [MICRO.credential]:
    'SessionManager.validate(credential): store read, SHA-256 of the secret, expiry, watermark, no write',
  [MICRO.sessMany]:
    "the default configuration, memory store, 20,000 users' tokens in turn: a token comes back only after 19,999 others, twice the cache's 10,000. A cache that nothing hits admits one miss in 16, so it keeps part of the set and hits it",
  [MICRO.sessManyUncached]:
    'the same tokens with jwt.tokenCacheSize 0: every validation a full one (strict precheck, synchronous HMAC, claims, revocation from the replica); measured interleaved with jsonwebtoken, batches of about 1 ms in turn',
  [MICRO.jsonwebtokenMany]:
    'jwt.verify with a KeyObject on the same 20,000 tokens in turn; measured interleaved with the row above',
  [MICRO.hmacMany]: 'createHmac over the signing inputs of the same 20,000 tokens in turn',
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
  const users = await usersTokens();
  const cases: MicroCase[] = [
    ...distinct.cases,
    ...users.cases,
    { name: MICRO.sess, run: () => sess.validate(token) },
    { name: MICRO.sessCold, run: () => cold.validate(token) },
    { name: MICRO.jose, run: () => jwtVerify(token, cryptoKey, joseOptions) },
    { name: MICRO.jsonwebtoken, run: () => jsonwebtoken.verify(token, keyObject, jwtOptions) },
    { name: MICRO.hmac, run: () => createHmac('sha256', keyObject).update(input).digest() },
    { name: MICRO.credential, run: () => db.validate(credential) },
  ];

  // A benchmark of a contender that accepts anything is worthless: prove each one first.
  assert.equal((await sess.validate(token)).userId, USER);
  assert.equal((await cold.validate(token)).userId, USER);
  assert.equal((await jwtVerify(token, cryptoKey, joseOptions)).payload.sub, USER);
  assert.equal((jsonwebtoken.verify(token, keyObject, jwtOptions) as { sub: string }).sub, USER);
  assert.equal(createHmac('sha256', keyObject).update(input).digest('base64url'), signature);
  assert.equal((await db.validate(credential)).userId, USER);
  await refuses(() => sess.validate(forged));
  await refuses(() => cold.validate(forged));
  await refuses(() => jwtVerify(forged, cryptoKey, joseOptions));
  await refuses(() => jsonwebtoken.verify(forged, keyObject, jwtOptions));
  await refuses(() => db.validate(forgeSignature(credential)));

  const rows = [...distinct.metered, ...users.metered];
  const [summaries, measured] = await countedOver(rows, async () =>
    summarizeRuns(await alternate(cases, runs, cpuMs, log, TOGETHER)),
  );
  for (const manager of [sess, cold, db, ...rows.map(([, m]) => m.manager)]) manager.close();
  return cases.map(({ name }) => ({
    name,
    opsPerSec: summaries.get(name)!,
    ...measured.get(name),
    note: NOTES[name]!,
  }));
}

type Counters = ReturnType<SessionManager['metrics']> & {
  caches?: { accessTokens?: { hits: number; misses: number } };
};

/** Validations through `manager`, counted, with its cache and store counters. */
function metered(manager: SessionManager) {
  let validations = 0;
  const counters = () => ({ validations, metrics: manager.metrics() as Counters });
  return {
    manager,
    validate: (token: string) => {
      validations++;
      return manager.validate(token);
    },
    counters,
    /** Its cache hit rate and store calls per validation since `before`. */
    since: (before: ReturnType<typeof counters>): Pick<MicroRow, 'cache' | 'storeCallsPerOp'> => {
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
    },
  };
}

/**
 * sess (default configuration and cache off), jsonwebtoken and raw HMAC on the tokens of 20,000
 * users, each case taking them in turn: validation as a server with many users does it, where a
 * token comes back only after all the others. Every token is first shown to pass (with its own
 * user) and a forged one to fail. sess's counters give its rows their cache hit rate and their
 * store calls per validation.
 */
async function distinctTokens(keyObject: KeyObject, jwtOptions: jsonwebtoken.VerifyOptions) {
  const store = memoryStore();
  const sess = metered(benchManager(store, 'jwt'));
  const uncached = metered(benchManager(store, 'jwt', { tokenCacheSize: 0 }));
  const tokens = await provenTokens('cold', [sess.manager, uncached.manager]);
  const inputs = tokens.map((token) => token.slice(0, token.lastIndexOf('.')));
  for (const [i, token] of tokens.entries()) {
    assert.equal(
      (jsonwebtoken.verify(token, keyObject, jwtOptions) as { sub: string }).sub,
      userOf('cold', i),
    );
  }
  await refuses(() => jsonwebtoken.verify(forgeSignature(tokens[0]!), keyObject, jwtOptions));

  const turn = () => {
    let i = 0;
    return () => (i = i + 1 === DISTINCT_TOKENS ? 0 : i + 1);
  };
  const [a, b, c, d] = [turn(), turn(), turn(), turn()];
  const cases: MicroCase[] = [
    { name: MICRO.sessMany, run: () => sess.validate(tokens[a()]!) },
    { name: MICRO.sessManyUncached, run: () => uncached.validate(tokens[d()]!) },
    {
      name: MICRO.jsonwebtokenMany,
      run: () => jsonwebtoken.verify(tokens[b()]!, keyObject, jwtOptions),
    },
    {
      name: MICRO.hmacMany,
      run: () => createHmac('sha256', keyObject).update(inputs[c()]!).digest(),
    },
  ];
  return {
    cases,
    metered: [
      [MICRO.sessMany, sess],
      [MICRO.sessManyUncached, uncached],
    ] as Metered[],
  };
}

/**
 * An access token for each of `mix`'s users, minted by the first of `managers`; each is first shown
 * to pass in every one of them with its own user, and a forged one to fail.
 */
async function provenTokens(mix: MixName, managers: readonly SessionManager[]): Promise<string[]> {
  const tokens: string[] = new Array(MIX[mix].users);
  await pooled(tokens.length, 64, async (i) => {
    tokens[i] = (await managers[0]!.create(userOf(mix, i))).accessToken!;
  });
  for (const [i, token] of tokens.entries()) {
    for (const manager of managers) {
      assert.equal((await manager.validate(token)).userId, userOf(mix, i));
    }
  }
  for (const manager of managers) await refuses(() => manager.validate(forgeSignature(tokens[0]!)));
  return tokens;
}

type Metered = readonly [name: string, ReturnType<typeof metered>];

/** What `measure` returns, and each metered row's cache hit rate and store calls per validation. */
async function countedOver<T>(rows: readonly Metered[], measure: () => Promise<T>) {
  const before = rows.map(([, m]) => m.counters());
  const result = await measure();
  return [result, new Map(rows.map(([name, m], i) => [name, m.since(before[i]!)]))] as const;
}

/**
 * sess without and with @sess/opentelemetry on the tokens of the 10,000-user mix, each case
 * drawing them in the HTTP client's random order: the instrumentation's cost on validations as a
 * server makes them, where a repeated token would leave only a loop (whose figures move with
 * whatever rows ran beside it) to compare. Every token is first shown to pass in both.
 */
async function usersTokens() {
  const store = memoryStore();
  const plain = metered(benchManager(store, 'jwt'));
  const otel = withOpenTelemetry(store);
  const observed = metered(benchManager(otel.store, 'jwt'));
  otel.instrument(observed.manager);
  const tokens = await provenTokens('users', [plain.manager, observed.manager]);
  const order = randomOrder(tokens.length, ORDER_LENGTH, ORDER_SEED);
  const drawn = () => {
    let i = 0;
    return () => tokens[order[i++ & (ORDER_LENGTH - 1)]!]!;
  };
  const [a, b] = [drawn(), drawn()];
  const cases: MicroCase[] = [
    { name: MICRO.sessUsers, run: () => plain.validate(a()) },
    { name: MICRO.sessOtel, run: () => observed.validate(b()) },
  ];
  return {
    cases,
    metered: [
      [MICRO.sessUsers, plain],
      [MICRO.sessOtel, observed],
    ] as Metered[],
  };
}
