/**
 * Forged, tampered and replayed access tokens against the demo, on every binding and strategy.
 *
 * Cases come from public catalogues: the jwt_tool playbook (alg none, null signature, key
 * confusion, embedded jwk, jku/x5u spoofing, kid injection, weak-secret cracking), PortSwigger's
 * JWT labs, RFC 8725 (JWT best current practices) and known library CVEs (CVE-2015-9235 key
 * confusion, CVE-2022-21449 psychic ECDSA signatures, CVE-2018-0114 embedded jwk).
 *
 * Every case is sent as `Authorization: Bearer` and as the session cookie. In the `database`
 * strategy the credential is an opaque `<id>.<secret>`, not a JWT: the same forged JWTs are thrown
 * at it (they must be refused just the same), and the credential-specific cases (splicing,
 * non-canonical copies) target its two parts. Cases that need the demo's own signing key
 * ("validly signed": what only a key holder could make) exist for `jwt` and `hybrid` only.
 *
 * After every case, the oracle proves the victim's session is intact (same id), and every attack
 * response is checked for credentials issued to the attacker, echoes of the input and leaks.
 */
import { randomBytes } from 'node:crypto';
import { createKeyring, isSessError } from '@sess/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { failOnUnhandledDemoErrors } from '../../src/attacks/http.ts';
import {
  ASYMMETRIC_ALGS,
  type AsymmetricTarget,
  keyPair,
  type Lure,
  publicKeySpellings,
  startAsymmetricTarget,
  startLure,
} from '../../src/attacks/jwt-asymmetric.ts';
import { refusalProblems, refusedEverywhere } from '../../src/attacks/jwt-expect.ts';
import {
  b64u,
  be32,
  compact,
  decodeJwt,
  insiderSigner,
  nonCanonical,
  P256_ORDER,
  padded,
  segment,
  signAsymmetric,
  signHs256,
  standardBase64,
} from '../../src/attacks/jwt-forge.ts';
import { COOKIE, issuedCredentials, send } from '../../src/attacks/jwt-http.ts';
import { targetSecrets, WEAK_SECRETS } from '../../src/attacks/weak-secrets.ts';
import {
  DemoClient,
  FRAMEWORKS,
  MATRIX,
  sessionIdOf,
  startTarget,
  type Target,
  victim,
} from '../../src/target.ts';

type Json = Record<string, unknown>;
type Case = readonly [label: string, token: string];

// The attacker's own key pairs, one per asymmetric algorithm.
const attacker = {
  EdDSA: keyPair('EdDSA'),
  ES256: keyPair('ES256'),
  RS256: keyPair('RS256'),
};

// Server key pairs for the asymmetric targets, shared by the three frameworks.
const serverKeys = {
  EdDSA: keyPair('EdDSA'),
  ES256: keyPair('ES256'),
  RS256: keyPair('RS256'),
};

// One loopback lure for the whole file: every jku/x5u/x5c URL points at it; it must never be hit.
let lure: Lure;
beforeAll(async () => {
  const jwk = attacker.RS256.publicKey.export({ format: 'jwk' });
  lure = await startLure(JSON.stringify({ keys: [{ ...jwk, kid: 'attacker', alg: 'RS256' }] }));
});
afterAll(async () => {
  expect(lure.hits).toEqual([]);
  await lure.close();
});

/** Header members that point the verifier at key material the sender chose. */
function keyPointers(kid: string): Json[] {
  const pub = attacker.RS256.publicKey;
  const der = (pub.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  return [
    { jku: `${lure.url}/jwks.json` },
    { jku: `${lure.url}/jwks.json`, kid: 'attacker' },
    { x5u: `${lure.url}/cert.pem` },
    { x5c: [der] },
    { jwk: { ...pub.export({ format: 'jwk' }), kid } },
    { jku: `${lure.url}/.well-known/jwks.json`, jwk: pub.export({ format: 'jwk' }) },
    // SSRF-style spellings a lenient URL check might miss.
    { jku: `http://localhost:${new URL(lure.url).port}/jwks.json` },
    { jku: `http://attacker@127.0.0.1:${new URL(lure.url).port}/jwks.json` },
  ];
}

/** An ECDSA signature in ASN.1 DER, the encoding JOSE forbids (RFC 7518 §3.4 wants r || s). */
function derEcdsa(raw: Uint8Array): Buffer {
  const integer = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const body = Buffer.from(bytes.subarray(i));
    const padded = (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body;
    return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
  };
  const content = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]);
}

/** The four casings of "none" jwt_tool tries. */
const NONE_CASINGS = ['none', 'None', 'NONE', 'nOnE'];

/** kid values from the kid-injection playbook: traversal, SQL, shell, URL, NUL and type confusion. */
const EVIL_KIDS: readonly unknown[] = [
  '../../../../dev/null',
  '/dev/null',
  '../../../../../../../../etc/passwd',
  '..\\..\\..\\..\\windows\\win.ini',
  "' OR 1=1--",
  "x' UNION SELECT 'secret' --",
  '" OR ""="',
  '$(id)',
  '; id',
  '| id',
  '`id`',
  '& whoami',
  '../../../../proc/self/environ',
  'http://127.0.0.1/key',
  'demo\u0000',
  'demo ',
  ' demo',
  'DEMO',
  '',
  0,
  null,
  ['demo'],
  { $ne: null },
];

failOnUnhandledDemoErrors();

describe('key material and word lists at startup', () => {
  it('public key material in any spelling is refused as an HS256 secret (key-confusion setup)', async () => {
    // Configuring a public key as an HMAC secret is how key confusion happens on the server's
    // side: anyone holding the public key could then mint tokens for that kid.
    const accepted: string[] = [];
    for (const alg of ASYMMETRIC_ALGS) {
      const { publicKey } = serverKeys[alg];
      const der = publicKey.export({ type: 'spki', format: 'der' });
      const spellings: Array<[string, string | Uint8Array]> = [
        ['SPKI PEM', publicKey.export({ type: 'spki', format: 'pem' }) as string],
        ['JWK JSON', JSON.stringify(publicKey.export({ format: 'jwk' }))],
        ['SPKI DER', new Uint8Array(der)],
        ['SPKI DER as base64 (a PEM body without its armour)', der.toString('base64')],
        ['SPKI DER as base64url', der.toString('base64url')],
        [
          'PEM body with its line breaks',
          (publicKey.export({ type: 'spki', format: 'pem' }) as string)
            .split('\n')
            .slice(1, -2)
            .join('\n'),
        ],
      ];
      if (alg === 'RS256') {
        const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'der' });
        spellings.push(
          ['PKCS#1 PEM', publicKey.export({ type: 'pkcs1', format: 'pem' }) as string],
          ['PKCS#1 DER', new Uint8Array(pkcs1)],
          ['PKCS#1 DER as base64', pkcs1.toString('base64')],
        );
      }
      for (const [label, secret] of spellings) {
        try {
          createKeyring([{ kid: 'k', alg: 'HS256', secret }]);
          accepted.push(`${alg} ${label}`);
        } catch (error) {
          if (!isSessError(error) || error.code !== 'ERR_SESS_CONFIG') throw error;
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('every word-list entry of 32 bytes or more is refused as an HS256 secret (short ones are, by length)', () => {
    const accepted: string[] = [];
    for (const secret of WEAK_SECRETS) {
      const bytes = typeof secret === 'string' ? Buffer.byteLength(secret) : secret.length;
      if (bytes < 32) continue;
      try {
        createKeyring([{ kid: 'k', alg: 'HS256', secret }]);
        accepted.push(String(secret));
      } catch (error) {
        if (!isSessError(error) || error.code !== 'ERR_SESS_CONFIG') throw error;
      }
    }
    expect(accepted).toEqual([]);
  });
});

describe.each(MATRIX)('%s × %s: forged access tokens', (framework, strategy) => {
  const jwtStrategy = strategy !== 'database';
  let target: Target;
  let alice: DemoClient;
  let aliceSession: string;
  /** The victim's credential as its cookie holds it (an access JWT, or `<id>.<secret>`). */
  let aliceToken: string;
  let bobToken: string;
  /** A real (jwt, hybrid) or representative (database) header and payload of the victim's token. */
  let header: Json;
  let payload: Json;
  let signature: string;
  let mint: ((header: unknown, payload: unknown) => Promise<string>) | null;

  beforeAll(async () => {
    target = await startTarget(framework, strategy);
    alice = await victim(target);
    aliceSession = await sessionIdOf(alice);
    aliceToken = alice.cookies.get(COOKIE.session)!;
    const bob = new DemoClient(target.url, 'attacker/1');
    expect((await bob.login('bob@example.com', 'bob-password-1')).status).toBe(200);
    bobToken = bob.cookies.get(COOKIE.session)!;
    if (jwtStrategy) {
      const decoded = decodeJwt(aliceToken);
      ({ header, payload } = decoded);
      signature = decoded.parts[2];
      mint = (await insiderSigner(target.sess)).mint;
    } else {
      const iat = Math.floor(Date.now() / 1000);
      header = { alg: 'HS256', kid: 'demo', typ: 'at+jwt' };
      payload = {
        iss: target.url,
        aud: target.url,
        sub: 'u-alice',
        sid: aliceSession,
        jti: b64u(randomBytes(16)),
        iat,
        exp: iat + 900,
      };
      signature = b64u(randomBytes(32));
      mint = null;
    }
  });
  afterEach(async () => {
    // The oracle: whatever was thrown at the server, the victim's session is the same one.
    expect(await sessionIdOf(alice)).toBe(aliceSession);
  });
  afterAll(() => target?.close());

  const refused = async (cases: readonly Case[]) => {
    expect(cases.length).toBeGreaterThan(0);
    expect(await refusedEverywhere(target.url, cases)).toEqual([]);
  };
  const asBob = () => ({ ...payload, sub: 'u-bob' });

  it('the unmodified victim token is accepted (control: the battery can tell)', async () => {
    const reply = await send(target.url, '/me', {
      headers: { authorization: `Bearer ${aliceToken}` },
    });
    expect(reply.status).toBe(200);
    expect(reply.body?.session?.id).toBe(aliceSession);
    // The checker flags an accepted token on both deliveries: a bypass could not pass unnoticed.
    const flagged = await refusedEverywhere(target.url, [['genuine', aliceToken]]);
    expect(flagged.filter((line) => line.endsWith('status 200'))).toHaveLength(2);
  });

  it('alg none in four casings, with and without the old signature', async () => {
    const cases: Case[] = [];
    for (const alg of NONE_CASINGS) {
      for (const [what, body] of [
        ['victim', payload],
        ['sub=bob', asBob()],
      ] as const) {
        cases.push([`${alg} ${what}, no signature`, compact({ ...header, alg }, body, '')]);
        cases.push([`${alg} ${what}, old signature`, compact({ ...header, alg }, body, signature)]);
        cases.push([`${alg} ${what}, bare header`, compact({ alg }, body, '')]);
        cases.push([
          `${alg} ${what}, bare header + sig`,
          compact({ alg, typ: 'JWT' }, body, signature),
        ]);
      }
    }
    await refused(cases);
  });

  it('null, empty and zeroed signatures', async () => {
    const [h, p] = [segment(header), segment(payload)];
    await refused([
      ['empty signature', `${h}.${p}.`],
      ['"null" signature', `${h}.${p}.null`],
      ['one zero byte', `${h}.${p}.AA`],
      ['32 zero bytes', `${h}.${p}.${b64u(new Uint8Array(32))}`],
      ['64 zero bytes', `${h}.${p}.${b64u(new Uint8Array(64))}`],
      ['signature truncated', `${h}.${p}.${signature.slice(0, 20)}`],
      ['signature extended', `${h}.${p}.${signature}AAAA`],
      ['signature of the header only', `${h}.${p}.${h}`],
    ]);
  });

  it('tampered claims and header under the original signature', async () => {
    const [h, , s] = [segment(header), segment(payload), signature];
    const tampered: Array<[string, Json]> = [
      ['sub=bob', asBob()],
      ['sub=admin', { ...payload, sub: 'admin' }],
      ['exp +1 day', { ...payload, exp: (payload.exp as number) + 86_400 }],
      ['exp far future', { ...payload, exp: 9_999_999_999 }],
      ['sid changed', { ...payload, sid: b64u(randomBytes(16)) }],
      ['jti changed', { ...payload, jti: b64u(randomBytes(16)) }],
      ['iat earlier', { ...payload, iat: (payload.iat as number) - 3600 }],
      ['exp removed', Object.fromEntries(Object.entries(payload).filter(([k]) => k !== 'exp'))],
      ['extra admin claim', { ...payload, admin: true, role: 'admin' }],
    ];
    const cases: Case[] = tampered.map(([label, body]) => [label, `${h}.${segment(body)}.${s}`]);
    cases.push(
      ['typ removed', compact({ alg: header.alg, kid: header.kid }, payload, s)],
      ['typ JWT', compact({ ...header, typ: 'JWT' }, payload, s)],
      ['kid removed', compact({ alg: header.alg, typ: header.typ }, payload, s)],
      [
        'header members reordered',
        compact({ typ: header.typ, kid: header.kid, alg: header.alg }, payload, s),
      ],
      [
        'payload re-serialised with spaces',
        `${h}.${segment(JSON.stringify(payload, null, 1))}.${s}`,
      ],
    );
    await refused(cases);
  });

  it("a signature spliced from another user's token, and credential splicing", async () => {
    const cases: Case[] = [];
    if (jwtStrategy) {
      const bob = decodeJwt(bobToken);
      cases.push(
        [
          "alice's claims, bob's signature",
          `${segment(header)}.${segment(payload)}.${bob.parts[2]}`,
        ],
        [
          "bob's header and claims with sub=alice",
          `${bob.parts[0]}.${segment({ ...bob.payload, sub: 'u-alice' })}.${bob.parts[2]}`,
        ],
        ["bob's claims, alice's signature", `${segment(header)}.${bob.parts[1]}.${signature}`],
      );
    } else {
      // `<id>.<secret>`: the victim's public id with the attacker's own secret, and the reverse.
      // A wrong secret for a known id must be a plain refusal that never revokes the victim.
      const [aliceId = '', aliceSecret = ''] = aliceToken.split('.');
      const [bobId = '', bobSecret = ''] = bobToken.split('.');
      cases.push(
        ["alice's id, bob's secret", `${aliceId}.${bobSecret}`],
        ["bob's id, alice's secret", `${bobId}.${aliceSecret}`],
        ["alice's id, a random secret", `${aliceId}.${b64u(randomBytes(32))}`],
        ["alice's id, zero secret", `${aliceId}.${b64u(new Uint8Array(32))}`],
        [
          "alice's id, her secret's first half twice",
          `${aliceId}.${aliceSecret.slice(0, 21)}${aliceSecret.slice(0, 22)}`,
        ],
      );
    }
    await refused(cases);
    // The same splices as refresh credentials: a wrong secret for the victim's id is refused
    // and never revokes her session (the afterEach oracle).
    const refresh = alice.cookies.get(COOKIE.refresh) ?? aliceToken;
    const [refreshId = ''] = refresh.split('.');
    const field = jwtStrategy ? 'refreshToken' : 'sessionToken';
    for (const presented of [
      `${refreshId}.${b64u(randomBytes(32))}`,
      `${refreshId}.${b64u(new Uint8Array(32))}`,
    ]) {
      const reply = await send(target.url, '/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ [field]: presented }),
      });
      expect(refusalProblems(reply, [presented])).toEqual([]);
    }
  });

  it('a token of one kind never passes as another (RFC 8725 §3.12)', async () => {
    const refresh = alice.cookies.get(COOKIE.refresh);
    const cases: Case[] = [['the CSRF token as a credential', alice.csrfToken]];
    if (refresh !== undefined) cases.push(['the refresh credential as an access token', refresh]);
    await refused(cases);
    // The access token (or, in database, the CSRF token) presented for refresh.
    const field = jwtStrategy ? 'refreshToken' : 'sessionToken';
    for (const presented of jwtStrategy ? [aliceToken, alice.csrfToken] : [alice.csrfToken]) {
      const reply = await send(target.url, '/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ [field]: presented }),
      });
      expect(refusalProblems(reply, [presented])).toEqual([]);
    }
  });

  it('tokens in the URL or in a form body (RFC 6750 §2.2, §2.3) authenticate nothing', async () => {
    const problems: string[] = [];
    // Not even read as a credential: the answer is "none was sent".
    const none = new Set(['ERR_SESS_NO_CREDENTIAL']);
    for (const query of ['access_token', 'token', 'jwt', 'session', COOKIE.session]) {
      const reply = await send(target.url, `/me?${query}=${encodeURIComponent(aliceToken)}`);
      problems.push(...refusalProblems(reply, [aliceToken], none).map((p) => `?${query}: ${p}`));
    }
    const form = await send(target.url, '/account/profile', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${encodeURIComponent(aliceToken)}&displayName=pwned`,
    });
    problems.push(...refusalProblems(form, [aliceToken], none).map((p) => `form body: ${p}`));
    expect(problems).toEqual([]);
  });

  it('algorithm substitution: other algorithms named in the header', async () => {
    const cases: Case[] = [];
    for (const alg of [
      'RS256',
      'ES256',
      'EdDSA',
      'PS256',
      'HS384',
      'HS512',
      'hs256',
      'HS256 ',
      'ES256K',
      'RSA-OAEP',
      'dir',
    ]) {
      cases.push([`alg ${alg}, old signature`, compact({ ...header, alg }, payload, signature)]);
      cases.push([
        `alg ${alg}, signed with "secret"`,
        signHs256({ ...header, alg }, asBob(), 'secret'),
      ]);
    }
    cases.push(['alg missing', compact({ kid: header.kid, typ: header.typ }, payload, signature)]);
    cases.push(['alg null', compact({ ...header, alg: null }, payload, signature)]);
    cases.push(['alg as array', compact({ ...header, alg: ['HS256'] }, payload, signature)]);
    cases.push([
      'attacker EdDSA key',
      signAsymmetric('EdDSA', { ...header, alg: 'EdDSA' }, asBob(), attacker.EdDSA.privateKey),
    ]);
    cases.push([
      'attacker ES256 key',
      signAsymmetric('ES256', { ...header, alg: 'ES256' }, asBob(), attacker.ES256.privateKey),
    ]);
    cases.push([
      'attacker RS256 key',
      signAsymmetric('RS256', { ...header, alg: 'RS256' }, asBob(), attacker.RS256.privateKey),
    ]);
    await refused(cases);
  });

  it('embedded jwk header: the key inside the token is never trusted (CVE-2018-0114)', async () => {
    const cases: Case[] = [];
    for (const alg of ASYMMETRIC_ALGS) {
      const { privateKey, publicKey } = attacker[alg];
      const jwk = publicKey.export({ format: 'jwk' });
      for (const kid of [header.kid, undefined, 'attacker']) {
        const h = { alg, typ: 'at+jwt', ...(kid === undefined ? {} : { kid }), jwk };
        cases.push([`${alg} jwk, kid ${String(kid)}`, signAsymmetric(alg, h, asBob(), privateKey)]);
      }
    }
    // The symmetric flavour: an "oct" JWK carrying the HMAC secret the token is signed with.
    const secret = randomBytes(32);
    const oct = { kty: 'oct', k: b64u(secret) };
    cases.push(['oct jwk', signHs256({ ...header, jwk: oct }, asBob(), secret)]);
    cases.push([
      'oct jwk, no kid',
      signHs256({ alg: 'HS256', typ: 'at+jwt', jwk: oct }, asBob(), secret),
    ]);
    if (mint) {
      // Validly signed with the server's key: the header member alone must get it refused.
      cases.push(['validly signed, with jwk', await mint({ ...header, jwk: oct }, payload)]);
    }
    await refused(cases);
  });

  it('jku, x5u and x5c pointing at a loopback server: refused, and it is never contacted', async () => {
    const cases: Case[] = [];
    for (const pointer of keyPointers(String(header.kid))) {
      const rsHeader = { alg: 'RS256', typ: 'at+jwt', kid: 'attacker', ...pointer };
      cases.push([
        `RS256 ${Object.keys(pointer)}`,
        signAsymmetric('RS256', rsHeader, asBob(), attacker.RS256.privateKey),
      ]);
      cases.push([
        `HS256 ${Object.keys(pointer)}`,
        signHs256({ ...header, ...pointer }, asBob(), 'secret'),
      ]);
      if (mint) {
        cases.push([
          `validly signed, ${Object.keys(pointer)}`,
          await mint({ ...header, ...pointer }, payload),
        ]);
      }
    }
    await refused(cases);
    expect(lure.hits).toEqual([]);
  });

  it('kid injection: path traversal, SQL, shell and type confusion', async () => {
    const cases: Case[] = [];
    for (const kid of EVIL_KIDS) {
      const h = { ...header, kid };
      // /dev/null reads as an empty key, a SQL injection as the value it selects, shell as output.
      for (const key of ['', '\u0000', 'secret', 'uid=0(root) gid=0(root) groups=0(root)\n']) {
        cases.push([
          `kid ${JSON.stringify(kid)}, key ${JSON.stringify(key)}`,
          signHs256(h, asBob(), key),
        ]);
      }
      cases.push([
        `kid ${JSON.stringify(kid)}, alg none`,
        compact({ ...h, alg: 'none' }, asBob(), ''),
      ]);
      if (mint) cases.push([`kid ${JSON.stringify(kid)}, validly signed`, await mint(h, payload)]);
    }
    await refused(cases);
  });

  it('ECDSA zero signatures (psychic signatures, CVE-2022-21449)', async () => {
    const es = { ...header, alg: 'ES256' };
    const n = be32(P256_ORDER);
    await refused([
      ['r=s=0 (raw)', compact(es, asBob(), new Uint8Array(64))],
      ['r=s=0 (DER)', compact(es, asBob(), 'MAYCAQACAQA')],
      ['r=s=n', compact(es, asBob(), Buffer.concat([n, n]))],
      ['r=0, s=1', compact(es, asBob(), Buffer.concat([be32(0n), be32(1n)]))],
      [
        'r=s=0 with kid of the server',
        compact({ ...es, kid: header.kid }, payload, new Uint8Array(64)),
      ],
    ]);
  });

  it('crit with an unknown extension, and b64:false (RFC 7797)', async () => {
    const cases: Case[] = [
      ['crit exp', signHs256({ ...header, crit: ['exp'], exp: 1 }, asBob(), 'secret')],
      [
        'crit unknown',
        compact({ ...header, crit: ['x-unknown'], 'x-unknown': 1 }, payload, signature),
      ],
      ['crit empty', compact({ ...header, crit: [] }, payload, signature)],
      ['b64 false', compact({ ...header, b64: false, crit: ['b64'] }, payload, signature)],
      // The unencoded payload: the signing input carries the raw JSON, dots included.
      [
        'b64 false, raw payload',
        `${segment({ ...header, b64: false, crit: ['b64'] })}.${JSON.stringify(payload)}.${signature}`,
      ],
    ];
    if (mint) {
      cases.push([
        'validly signed, crit unknown',
        await mint({ ...header, crit: ['x-unknown'], 'x-unknown': 1 }, payload),
      ]);
      cases.push([
        'validly signed, b64 false',
        await mint({ ...header, b64: false, crit: ['b64'] }, payload),
      ]);
      cases.push(['validly signed, zip', await mint({ ...header, zip: 'DEF' }, payload)]);
      cases.push([
        'validly signed, cty JWT (nested)',
        await mint({ ...header, cty: 'JWT' }, payload),
      ]);
    }
    await refused(cases);
  });

  it('weak secrets: every word-list entry re-signs the victim token in vain (in-process)', async () => {
    const secrets = [...WEAK_SECRETS, ...targetSecrets(target.url, String(header.kid))];
    expect(secrets.length).toBeGreaterThan(300);
    const accepted: string[] = [];
    for (const secret of secrets) {
      for (const body of [payload, asBob()]) {
        const token = signHs256(header, body, secret);
        try {
          await target.sess.validate(token);
          accepted.push(String(secret));
        } catch (error) {
          if (!isSessError(error)) throw error;
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('weak secrets: a sample over HTTP', async () => {
    const sample = [
      'secret',
      'your-256-bit-secret',
      'changeme',
      'password',
      'jwt_secret',
      'demo',
      'sess',
      '',
      'keyboard cat',
      'a-string-secret-at-least-256-bits-long',
    ];
    await refused(sample.map((secret) => [`"${secret}"`, signHs256(header, asBob(), secret)]));
  });

  it('a token longer than the limit, and one at the limit, are refused', async () => {
    const long = { ...payload, pad: 'x'.repeat(5000) };
    const cases: Case[] = [['5000+ characters', signHs256(header, long, 'secret')]];
    if (mint) {
      cases.push(['validly signed, 5000+ characters', await mint(header, long)]);
      // At the limit passes the length check, then must fail for not being signed by the server.
      let pad = 0;
      const padTo = (n: number) => signHs256(header, { ...payload, pad: 'x'.repeat(n) }, 'secret');
      while (padTo(pad + 1).length <= 4096) pad++;
      cases.push([`${padTo(pad).length} characters`, padTo(pad)]);
    }
    await refused(cases);
  });

  it.runIf(jwtStrategy)('claim type confusion, validly signed', async () => {
    const m = mint!;
    const exp = payload.exp as number;
    const iat = payload.iat as number;
    const variants: Array<[string, Json | string]> = [
      ['exp as string', { ...payload, exp: String(exp) }],
      ['exp as float', { ...payload, exp: exp + 0.5 }],
      ['exp null', { ...payload, exp: null }],
      ['iat as string', { ...payload, iat: String(iat) }],
      ['iat missing', { ...payload, iat: undefined }],
      ['sub as number', { ...payload, sub: 1 }],
      ['sub empty', { ...payload, sub: '' }],
      ['sub as array', { ...payload, sub: ['u-alice'] }],
      ['sub as object', { ...payload, sub: { id: 'u-alice' } }],
      ['sid as number', { ...payload, sid: 1 }],
      ['sid missing', { ...payload, sid: undefined }],
      ['jti missing', { ...payload, jti: undefined }],
      ['jti as number', { ...payload, jti: 7 }],
      ['aud as array', { ...payload, aud: [payload.aud] }],
      ['aud as array with another', { ...payload, aud: [payload.aud, 'https://evil.example'] }],
      ['aud as object', { ...payload, aud: { aud: payload.aud } }],
      ['aud another', { ...payload, aud: 'https://evil.example' }],
      ['aud with trailing slash', { ...payload, aud: `${payload.aud}/` }],
      ['aud missing', { ...payload, aud: undefined }],
      ['iss as array', { ...payload, iss: [payload.iss] }],
      ['iss another', { ...payload, iss: 'https://evil.example' }],
      ['iss missing', { ...payload, iss: undefined }],
      ['iat in the future (10 min)', { ...payload, iat: iat + 600, exp: exp + 600 }],
      ['nbf in the future (10 min)', { ...payload, nbf: iat + 600 }],
      ['nbf as string', { ...payload, nbf: String(iat) }],
      ['exp before iat', { ...payload, exp: iat - 1 }],
      ['exp equal to iat', { ...payload, exp: iat }],
      ['lifetime of a day', { ...payload, exp: iat + 86_400 }],
      ['auth_time after iat', { ...payload, auth_time: iat + 60 }],
      ['auth_time as string', { ...payload, auth_time: String(iat) }],
      ['exp 1e300', { ...payload, exp: 1e300 }],
      ['exp beyond 2^53', { ...payload, exp: 2 ** 53 + 2 }],
      ['iat negative', { ...payload, iat: -1 }],
      // Strict JSON: duplicate names (first and last wins disagree), escaped duplicates.
      ['duplicate sub', `${JSON.stringify(payload).slice(0, -1)},"sub":"u-bob"}`],
      ['escaped duplicate sub', `${JSON.stringify(payload).slice(0, -1)},"\\u0073ub":"u-bob"}`],
      ['payload is an array', `[${JSON.stringify(payload)}]`],
      ['payload with a BOM', `\ufeff${JSON.stringify(payload)}`],
    ];
    const cases: Case[] = [];
    for (const [label, body] of variants) cases.push([label, await m(header, body)]);
    cases.push(['typ missing', await m({ alg: header.alg, kid: header.kid }, payload)]);
    cases.push(['typ JWT', await m({ ...header, typ: 'JWT' }, payload)]);
    cases.push(['typ refresh', await m({ ...header, typ: 'rt+jwt' }, payload)]);
    cases.push([
      'duplicate alg in header',
      await m(`{"alg":"none","kid":"${header.kid}","typ":"at+jwt","alg":"HS256"}`, payload),
    ]);
    await refused(cases);
  });

  it.runIf(jwtStrategy)(
    'expiry, nbf and iat at the exact skew boundaries (frozen clock)',
    async () => {
      // The demo leaves jwt.clockSkew at its default, 30 s, and the access lifetime at 15 min
      // (exp - iat of a real token). Date is frozen in this process, the server's included, so the
      // boundaries are exact to the millisecond.
      const m = mint!;
      const SKEW = 30_000;
      const lifetime = (payload.exp as number) - (payload.iat as number);
      const nowS = Math.floor(Date.now() / 1000);
      const at = async (time: number, token: string) => {
        vi.setSystemTime(time);
        return send(target.url, '/me', { headers: { authorization: `Bearer ${token}` } });
      };
      const fresh = (claims: Json & { iat: number }) =>
        m(header, { ...payload, jti: b64u(randomBytes(16)), auth_time: claims.iat, ...claims });
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const expired = await fresh({ iat: nowS - lifetime + 10, exp: nowS + 10 });
        const expUntil = (nowS + 10) * 1000 + SKEW;
        const future = await fresh({ iat: nowS + 60, exp: nowS + 60 + lifetime });
        const iatFrom = (nowS + 60) * 1000 - SKEW;
        const notYet = await fresh({ iat: nowS, nbf: nowS + 120, exp: nowS + lifetime });
        const nbfFrom = (nowS + 120) * 1000 - SKEW;
        const longest = await fresh({ iat: nowS, exp: nowS + lifetime + SKEW / 1000 });
        const tooLong = await fresh({ iat: nowS, exp: nowS + lifetime + SKEW / 1000 + 1 });

        const results = {
          'exp: 1 ms before exp + skew': (await at(expUntil - 1, expired)).status,
          'exp: at exp + skew': (await at(expUntil, expired)).status,
          'exp: after, cached token': (await at(expUntil + 1, expired)).status,
          'iat: 1 ms before iat - skew': (await at(iatFrom - 1, future)).status,
          'iat: at iat - skew': (await at(iatFrom, future)).status,
          'nbf: 1 ms before nbf - skew': (await at(nbfFrom - 1, notYet)).status,
          'nbf: at nbf - skew': (await at(nbfFrom, notYet)).status,
          'lifetime: configured + skew': (await at(nowS * 1000, longest)).status,
          'lifetime: configured + skew + 1 s': (await at(nowS * 1000, tooLong)).status,
        };
        expect(results).toEqual({
          'exp: 1 ms before exp + skew': 200,
          'exp: at exp + skew': 401,
          'exp: after, cached token': 401,
          'iat: 1 ms before iat - skew': 401,
          'iat: at iat - skew': 200,
          'nbf: 1 ms before nbf - skew': 401,
          'nbf: at nbf - skew': 200,
          'lifetime: configured + skew': 200,
          'lifetime: configured + skew + 1 s': 401,
        });
        const expiredReply = await at(expUntil, expired);
        expect(expiredReply.body?.error?.code).toBe('ERR_SESS_EXPIRED');
        expect(issuedCredentials(expiredReply)).toEqual([]);
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it.runIf(!jwtStrategy)('session idle expiry at the exact boundary (frozen clock)', async () => {
    // The database strategy's analogue of exp: the record's idle expiry, exact to the ms.
    const early = await victim(target);
    const late = await victim(target);
    const expiresAt = async (client: DemoClient) =>
      Date.parse((await client.request('GET', '/me')).body.session.expiresAt);
    const [earlyExpiry, lateExpiry] = [await expiresAt(early), await expiresAt(late)];
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(earlyExpiry - 1);
      const before = await early.request('GET', '/me');
      vi.setSystemTime(lateExpiry);
      const at = await late.request('GET', '/me');
      // At expiry the store itself no longer returns the record, so the refusal may read as an
      // unknown credential rather than an expired one: either is a 401.
      expect([before.status, at.status]).toEqual([200, 401]);
      expect(['ERR_SESS_EXPIRED', 'ERR_SESS_INVALID_CREDENTIAL']).toContain(at.body.error?.code);
    } finally {
      vi.useRealTimers();
    }
  });

  it('non-canonical copies of a revoked token, and of a live one', async () => {
    // A second device of the victim logs out; its token must stay dead in every spelling.
    // Applicable: '=' padding, a different base64url spelling of the same signature bits (the
    // unused low bits of the last character), standard base64, and whitespace or case in the
    // Authorization header. Re-ordering the JSON and re-signing needs the key: only the
    // "validly signed" cases below can do it, and they show that revocation is keyed by the
    // session (sid) and token id (jti), never by the token's bytes.
    const device = await victim(target);
    const dead = device.cookies.get(COOKIE.session)!;
    const deadRefresh = device.cookies.get(COOKIE.refresh);
    expect((await device.request('POST', '/auth/logout')).status).toBe(200);

    const spellings = (token: string, label: string): Case[] => {
      const parts = token.split('.');
      const cases: Case[] = [[`${label} as is`, token]];
      parts.forEach((part, i) => {
        const with_ = (replacement: string) =>
          parts.map((p, j) => (j === i ? replacement : p)).join('.');
        cases.push([`${label} part ${i} padded`, with_(padded(part))]);
        const twin = nonCanonical(part);
        if (twin !== null && twin !== part)
          cases.push([`${label} part ${i} non-canonical`, with_(twin)]);
        const standard = standardBase64(part);
        if (standard !== part) cases.push([`${label} part ${i} standard base64`, with_(standard)]);
      });
      cases.push([`${label} with a trailing dot`, `${token}.`]);
      return cases;
    };
    const cases = [...spellings(dead, 'revoked')];
    const live = spellings(aliceToken, 'live').slice(1);
    await refused([...cases, ...live]);

    // Header spellings of the revoked token: case and whitespace around it still authenticate
    // nothing (the token itself is dead).
    for (const authorization of [`bearer ${dead}`, `BEARER ${dead}`, `Bearer   ${dead}  `]) {
      const reply = await send(target.url, '/me', { headers: { authorization } });
      expect(refusalProblems(reply, [dead]), authorization.slice(0, 12)).toEqual([]);
    }
    if (mint) {
      const { header: h, payload: p } = decodeJwt(dead);
      const reordered = Object.fromEntries(Object.entries(p).reverse());
      await refused([
        [
          'validly re-signed, claims reordered',
          await mint({ typ: h.typ, kid: h.kid, alg: h.alg }, reordered),
        ],
        [
          'validly re-signed, new jti, same sid',
          await mint(h, { ...p, jti: b64u(randomBytes(16)) }),
        ],
      ]);
    }
    if (deadRefresh !== undefined) {
      // The revoked refresh credential, presented as a non-browser client would.
      for (const [label, token] of spellings(deadRefresh, 'refresh')) {
        const reply = await send(target.url, '/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: token }),
        });
        expect(refusalProblems(reply, [token]), label).toEqual([]);
      }
    }
  });
});

describe.each(
  FRAMEWORKS.flatMap((framework) => ASYMMETRIC_ALGS.map((alg) => [framework, alg] as const)),
)('%s with an %s signing key: key confusion and signature forgeries', (framework, alg) => {
  // The demo signs with HS256, where "HS256 keyed with the public key" has no public key to use.
  // Here the demo's app runs with an asymmetric key (jwt strategy), so the attacker holds the
  // real public key (the JWKS publishes it) in every spelling and tries it as an HMAC secret.
  let target: AsymmetricTarget;
  let alice: DemoClient;
  let aliceSession: string;
  let token: string;
  let header: Json;
  let payload: Json;

  beforeAll(async () => {
    target = await startAsymmetricTarget(framework, alg, serverKeys[alg]);
    alice = new DemoClient(target.url, 'victim-browser/1');
    expect((await alice.login()).status).toBe(200);
    aliceSession = await sessionIdOf(alice);
    token = alice.cookies.get(COOKIE.session)!;
    ({ header, payload } = decodeJwt(token));
  });
  afterEach(async () => {
    expect(await sessionIdOf(alice)).toBe(aliceSession);
  });
  afterAll(() => target?.close());

  const refused = async (cases: readonly Case[]) => {
    expect(await refusedEverywhere(target.url, cases)).toEqual([]);
  };
  const asBob = () => ({ ...payload, sub: 'u-bob' });

  it('the genuine token carries the asymmetric alg (control)', () => {
    expect(header).toMatchObject({ alg, kid: target.kid, typ: 'at+jwt' });
  });

  it('HS256 keyed with the public key in every spelling (SPKI/PKCS#1 PEM, DER, JWK JSON, raw)', async () => {
    const cases: Case[] = [];
    for (const [label, key] of await publicKeySpellings(target.publicKey, target.sess)) {
      cases.push([
        `${label}, kid of the server`,
        signHs256({ ...header, alg: 'HS256' }, asBob(), key),
      ]);
      cases.push([`${label}, same claims`, signHs256({ ...header, alg: 'HS256' }, payload, key)]);
      cases.push([`${label}, no kid`, signHs256({ alg: 'HS256', typ: 'at+jwt' }, asBob(), key)]);
    }
    await refused(cases);
  });

  it("the attacker's own key: same alg, embedded jwk, jku/x5u (zero requests to the lure)", async () => {
    const own = attacker[alg];
    const jwk = own.publicKey.export({ format: 'jwk' });
    const cases: Case[] = [
      ['same kid', signAsymmetric(alg, header, asBob(), own.privateKey)],
      ['embedded jwk', signAsymmetric(alg, { ...header, jwk }, asBob(), own.privateKey)],
      [
        'embedded jwk, no kid',
        signAsymmetric(alg, { alg, typ: 'at+jwt', jwk }, asBob(), own.privateKey),
      ],
    ];
    for (const pointer of keyPointers(target.kid)) {
      cases.push([
        `${Object.keys(pointer)}`,
        signAsymmetric(alg, { ...header, ...pointer }, asBob(), own.privateKey),
      ]);
      // Validly signed by the server: the pointer alone must get it refused.
      const serverSigned = signAsymmetric(
        alg,
        { ...header, ...pointer },
        payload,
        target.privateKey,
      );
      cases.push([`server-signed, ${Object.keys(pointer)}`, serverSigned]);
    }
    await refused(cases);
    expect(lure.hits).toEqual([]);
  });

  it('stripped, zeroed and psychic signatures', async () => {
    const sigLength = Buffer.from(token.split('.')[2]!, 'base64url').length;
    const cases: Case[] = [
      ['alg none', compact({ ...header, alg: 'none' }, asBob(), '')],
      ['empty signature', compact(header, asBob(), '')],
      ['zero signature of the right length', compact(header, asBob(), new Uint8Array(sigLength))],
      ['genuine claims, zero signature', compact(header, payload, new Uint8Array(sigLength))],
    ];
    const genuine = Buffer.from(token.split('.')[2]!, 'base64url');
    if (alg === 'EdDSA') {
      // Ed25519 signatures are R || S with S little-endian below the group order L: S + L is the
      // classic non-canonical twin a lenient verifier accepts for the same claims.
      const L = 2n ** 252n + 27742317777372353535851937790883648493n;
      const s = BigInt(`0x${Buffer.from(genuine.subarray(32)).reverse().toString('hex')}`);
      const twin = Buffer.from(be32(s + L)).reverse();
      cases.push([
        'genuine claims, S + L',
        compact(header, payload, Buffer.concat([genuine.subarray(0, 32), twin])),
      ]);
    }
    if (alg === 'RS256') {
      cases.push([
        'genuine claims, signature with a leading zero byte',
        compact(header, payload, Buffer.concat([Buffer.from([0]), genuine])),
      ]);
    }
    if (alg === 'ES256') {
      const n = be32(P256_ORDER);
      cases.push(
        ['genuine claims, DER-encoded signature', compact(header, payload, derEcdsa(genuine))],
        // ECDSA is malleable; sess issues low s only and refuses the (r, n - s) twin.
        [
          'genuine claims, the high-S twin',
          compact(
            header,
            payload,
            Buffer.concat([
              genuine.subarray(0, 32),
              be32(P256_ORDER - BigInt(`0x${genuine.subarray(32).toString('hex')}`)),
            ]),
          ),
        ],
        ['r=s=0 (CVE-2022-21449)', compact(header, asBob(), new Uint8Array(64))],
        ['r=s=0 DER', compact(header, asBob(), 'MAYCAQACAQA')],
        ['r=s=n', compact(header, asBob(), Buffer.concat([n, n]))],
        ['r=n, s=0', compact(header, asBob(), Buffer.concat([n, be32(0n)]))],
      );
    }
    await refused(cases);
  });

  it('a revoked token stays dead in any spelling, including a high-S ECDSA twin', async () => {
    const device = new DemoClient(target.url, 'device/2');
    expect((await device.login()).status).toBe(200);
    const dead = device.cookies.get(COOKIE.session)!;
    expect((await device.request('POST', '/auth/logout')).status).toBe(200);
    const [h, p, s] = dead.split('.') as [string, string, string];
    const cases: Case[] = [
      ['as is', dead],
      ['signature padded', `${h}.${p}.${padded(s)}`],
      ['signature standard base64', `${h}.${p}.${standardBase64(s)}`],
    ];
    const twin = nonCanonical(s);
    if (twin !== null && twin !== s) cases.push(['signature non-canonical', `${h}.${p}.${twin}`]);
    if (alg === 'ES256') {
      // ECDSA is malleable: (r, n - s) verifies too. Revocation must not depend on the bytes.
      const raw = Buffer.from(s, 'base64url');
      const high = P256_ORDER - BigInt(`0x${raw.subarray(32).toString('hex')}`);
      cases.push([
        'high-S twin',
        `${h}.${p}.${b64u(Buffer.concat([raw.subarray(0, 32), be32(high)]))}`,
      ]);
    }
    await refused(cases);
  });
});
