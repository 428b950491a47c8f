/**
 * A mutated token is never accepted. Valid access tokens (HS256 on node:crypto, EdDSA and ES256
 * through jose), session/refresh credentials and CSRF tokens go through random mutations: a
 * character flipped, inserted, deleted or replaced, segments swapped, dropped or repeated, a
 * segment re-encoded as standard base64 or padded, letters re-cased, the token truncated,
 * whitespace added, and non-canonical spellings of the same bytes. Verification must fail unless
 * the mutation left the token unchanged.
 */
import fc from 'fast-check';
import { base64url as joseBase64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { createCsrfProtection } from '../../src/csrf/protection.ts';
import { createCsrfTokens } from '../../src/csrf/tokens.ts';
import { signAccessToken, verifyAccessToken } from '../../src/jwt/access-token.ts';
import { createKeyring, type Keyring } from '../../src/jwt/keyring.ts';
import type { JsonValue } from '../../src/store.ts';
import { jwtOptions, setup } from '../helpers.ts';
import { config, hsRing, NOW, pemPair } from '../jwt/fixtures.ts';
import { settle } from './support.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const EXTRA = '+/=. \t\n%\u00e9\u0000"';

/** One mutation, as data so that a counterexample reads well. */
type Mutation =
  | { kind: 'replace' | 'insert'; at: number; char: string }
  | { kind: 'delete' | 'upper' | 'lower' | 'truncate' | 'noncanonical'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'drop-segment' | 'repeat-segment' | 'to-base64' | 'pad' | 'segment-case'; at: number }
  | { kind: 'wrap'; before: string; after: string };

const char = fc.constantFrom(...B64URL, ...EXTRA);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('replace', 'insert'), at: fc.nat(), char }),
  fc.record({
    kind: fc.constantFrom('delete', 'upper', 'lower', 'truncate', 'noncanonical'),
    at: fc.nat(),
  }),
  fc.record({ kind: fc.constant('swap'), at: fc.nat(), with: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('drop-segment', 'repeat-segment', 'to-base64', 'pad', 'segment-case'),
    at: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('wrap'),
    before: fc.constantFrom('', ' ', 'Bearer ', '.', '\n'),
    after: fc.constantFrom('', ' ', '=', '.', '\u0000', '%20'),
  }),
) as fc.Arbitrary<Mutation>;

/** Every other last character that decodes to the same bytes (spare bits set): same token, other text. */
function nonCanonicalTwins(segment: string): string[] {
  const spare = (segment.length * 6) % 8;
  if (spare === 0 || segment.length === 0) return [];
  const last = B64URL.indexOf(segment.at(-1)!);
  const twins: string[] = [];
  for (let low = 0; low < 1 << spare; low++) {
    const value = (last & ~((1 << spare) - 1)) | low;
    if (value !== last) twins.push(segment.slice(0, -1) + B64URL[value]);
  }
  return twins;
}

function applyMutation(token: string, m: Mutation): string {
  const i = (n: number) => (token.length === 0 ? 0 : m.kind === 'wrap' ? 0 : n % token.length);
  const parts = token.split('.');
  const p = (n: number) => n % parts.length;
  const withPart = (n: number, f: (s: string) => string) =>
    parts.map((s, k) => (k === p(n) ? f(s) : s)).join('.');
  switch (m.kind) {
    case 'replace':
      return token.slice(0, i(m.at)) + m.char + token.slice(i(m.at) + 1);
    case 'insert':
      return token.slice(0, i(m.at)) + m.char + token.slice(i(m.at));
    case 'delete':
      return token.slice(0, i(m.at)) + token.slice(i(m.at) + 1);
    case 'upper':
    case 'lower': {
      const c = token[i(m.at)] ?? '';
      const changed = m.kind === 'upper' ? c.toUpperCase() : c.toLowerCase();
      return token.slice(0, i(m.at)) + changed + token.slice(i(m.at) + 1);
    }
    case 'truncate':
      return token.slice(0, i(m.at));
    case 'noncanonical':
      return withPart(m.at, (s) => nonCanonicalTwins(s)[0] ?? s);
    case 'swap': {
      const copy = [...parts];
      [copy[p(m.at)], copy[p(m.with)]] = [copy[p(m.with)]!, copy[p(m.at)]!];
      return copy.join('.');
    }
    case 'drop-segment':
      return parts.filter((_, k) => k !== p(m.at)).join('.');
    case 'repeat-segment':
      return [...parts.slice(0, p(m.at) + 1), ...parts.slice(p(m.at))].join('.');
    case 'to-base64':
      // base64url -> standard base64 with padding: the same bytes, another alphabet.
      return withPart(m.at, (s) => Buffer.from(s, 'base64url').toString('base64'));
    case 'pad':
      return withPart(m.at, (s) => `${s}=`);
    case 'segment-case':
      return withPart(m.at, (s) => (s === s.toUpperCase() ? s.toLowerCase() : s.toUpperCase()));
    case 'wrap':
      return `${m.before}${token}${m.after}`;
  }
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });
const mutate = (token: string, ms: readonly Mutation[]) => ms.reduce(applyMutation, token);

const tokenInput = fc.record({
  sub: fc.string({ minLength: 1, maxLength: 24 }),
  role: fc.jsonValue({ maxDepth: 2 }),
});

async function expectAcceptedOnlyUnchanged(
  verify: (token: string) => Promise<unknown>,
  token: string,
  mutated: string,
): Promise<void> {
  const settled = await settle(() => verify(mutated));
  if (mutated === token) {
    expect(settled.ok).toBe(true);
    return;
  }
  expect(settled.ok, `mutated token accepted: ${JSON.stringify(mutated)}`).toBe(false);
  // Mutated down to nothing, it is no credential at all to the manager (the bare token verifier
  // calls it malformed).
  const code =
    mutated === ''
      ? expect.stringMatching(/^ERR_SESS_(NO|INVALID)_CREDENTIAL$/)
      : 'ERR_SESS_INVALID_CREDENTIAL';
  if (!settled.ok) expect(settled.error).toMatchObject({ code });
}

describe('a mutated access token is never accepted', () => {
  const ed = pemPair('EdDSA');
  const es = pemPair('ES256');
  const rings: [string, Keyring, number][] = [
    ['HS256', hsRing, 1000],
    ['EdDSA', createKeyring([{ kid: 'ed-1', alg: 'EdDSA', privateKey: ed.privatePem }]), 300],
    ['ES256', createKeyring([{ kid: 'es-1', alg: 'ES256', privateKey: es.privatePem }]), 300],
  ];

  it.each(rings)('%s', async (_alg, ring, numRuns) => {
    await fc.assert(
      fc.asyncProperty(tokenInput, mutations, async (input, ms) => {
        const { token } = await signAccessToken(ring, config, {
          sub: input.sub,
          sid: 'sess-1',
          now: NOW,
          claims: { role: input.role as JsonValue },
        });
        await expectAcceptedOnlyUnchanged(
          (t) => verifyAccessToken(ring, config, t, NOW),
          token,
          mutate(token, ms),
        );
      }),
      { numRuns },
    );
  });

  it.each(rings)(
    '%s: no non-canonical spelling of any segment verifies (jose decodes them to the same bytes)',
    async (_alg, ring) => {
      const { token } = await signAccessToken(ring, config, { sub: 'u', sid: 's', now: NOW });
      const parts = token.split('.');
      let twins = 0;
      for (const [k, segment] of parts.entries()) {
        for (const twin of nonCanonicalTwins(segment)) {
          // The oracle for "same bytes" is jose's own decoder, the one a bare jose verifier uses.
          expect(joseBase64url.decode(twin)).toEqual(joseBase64url.decode(segment));
          const variant = parts.map((s, j) => (j === k ? twin : s)).join('.');
          await expect(verifyAccessToken(ring, config, variant, NOW)).rejects.toMatchObject({
            code: 'ERR_SESS_INVALID_CREDENTIAL',
            reason: 'malformed',
          });
          twins++;
        }
      }
      // Ed25519 and P-256 signatures are 64 bytes (86 characters, 4 spare bits): 15 twins at least.
      expect(twins).toBeGreaterThanOrEqual(15);
    },
  );

  it('through the manager: the verified-token cache never answers for a mutated token', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: jwtOptions });
    const { accessToken } = await sess.create('alice');
    const token = accessToken!;
    await sess.validate(token); // now in the cache
    await fc.assert(
      fc.asyncProperty(mutations, async (ms) => {
        await expectAcceptedOnlyUnchanged((t) => sess.validate(t), token, mutate(token, ms));
      }),
      { numRuns: 1000 },
    );
    await expect(sess.validate(token)).resolves.toMatchObject({ userId: 'alice' });
  });
});

describe('a mutated session or refresh credential is never accepted', () => {
  it('database strategy: validate and refresh refuse it, and the session survives', async () => {
    const { sess } = setup();
    const { credential } = await sess.create('alice');
    await fc.assert(
      fc.asyncProperty(mutations, async (ms) => {
        const mutated = mutate(credential, ms);
        fc.pre(mutated !== credential); // an unchanged credential would rotate the session
        await expectAcceptedOnlyUnchanged((t) => sess.validate(t), credential, mutated);
        await expectAcceptedOnlyUnchanged((t) => sess.refresh(t), credential, mutated);
      }),
      { numRuns: 1000 },
    );
    // No mutation was taken for reuse of an old secret: the real credential still works.
    await expect(sess.validate(credential)).resolves.toMatchObject({ userId: 'alice' });
    const refreshed = await sess.refresh(credential);
    expect(refreshed.credential).not.toBe(credential);
  });

  it('non-canonical spellings of the id or the secret are refused as malformed', async () => {
    const { sess } = setup();
    const { credential } = await sess.create('alice');
    const [id, secret] = credential.split('.') as [string, string];
    const twins = [
      ...nonCanonicalTwins(id).map((t) => `${t}.${secret}`),
      ...nonCanonicalTwins(secret).map((t) => `${id}.${t}`),
    ];
    expect(twins.length).toBe(15 + 3); // 16 bytes: 4 spare bits; 32 bytes: 2 spare bits
    for (const twin of twins) {
      await expect(sess.validate(twin)).rejects.toMatchObject({ reason: 'malformed' });
      await expect(sess.refresh(twin)).rejects.toMatchObject({ reason: 'malformed' });
    }
    await expect(sess.validate(credential)).resolves.toMatchObject({ userId: 'alice' });
  });
});

describe('a mutated CSRF token is never accepted', () => {
  const key = new Uint8Array(32).fill(5);

  it('verify is true only for the issued token and its own binding', async () => {
    const tokens = createCsrfTokens(key);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.string({ minLength: 1, maxLength: 30 }),
        mutations,
        async (binding, other, ms) => {
          const token = await tokens.issue(binding);
          const mutated = mutate(token, ms);
          expect(await tokens.verify(mutated, binding)).toBe(mutated === token);
          expect(await tokens.verify(token, other)).toBe(other === binding);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a session token never passes as a pre-session token of the same id, nor the reverse', async () => {
    const csrf = createCsrfProtection({ trustedOrigins: ['https://app.example.com'] }, key);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 30 }), async (id) => {
        const post = (token: string) => ({
          method: 'POST',
          headers: new Headers({ origin: 'https://app.example.com', 'x-csrf-token': token }),
        });
        const forSession = await csrf.issue({ sessionId: id });
        const forPre = await csrf.issue({ preSessionId: id });
        await expect(csrf.protect(post(forSession), { sessionId: id })).resolves.toBeUndefined();
        await expect(csrf.protect(post(forSession), { preSessionId: id })).rejects.toMatchObject({
          reason: 'token-invalid',
        });
        await expect(csrf.protect(post(forPre), { sessionId: id })).rejects.toMatchObject({
          reason: 'token-invalid',
        });
      }),
      { numRuns: 200 },
    );
  });
});
