import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClean, randomSecret, sess, tempDir, writeFile } from './support.ts';

interface Finding {
  id: string;
  severity: 'error' | 'warn' | 'info';
  subject: string;
  message: string;
  path?: string;
  ref?: string;
}
interface Report {
  ok: boolean;
  summary: Record<'error' | 'warn' | 'info', number>;
  findings: Finding[];
}

const dir = tempDir();
const secrets = {
  prod: randomSecret(),
  staging: randomSecret(),
  key: randomSecret(),
  passphrase: 'correct horse battery staple tangerine oboe',
};
// A retired signing key, still carrying its private part.
const { privateKey: oldKey } = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, [
  'sign',
  'verify',
])) as webcrypto.CryptoKeyPair;
const { kty, crv, x, d } = await webcrypto.subtle.exportKey('jwk', oldKey);
const env = {
  OLD_KEY: JSON.stringify({ kty, crv, x, d }),
  PROD_SECRET: secrets.prod,
  STAGING_SECRET: secrets.staging,
  HS_KEY: secrets.key,
  PASSPHRASE: secrets.passphrase,
};
const ids = (report: Report, subject: string, severity?: Finding['severity']) =>
  report.findings
    .filter((f) => f.subject === subject && (severity === undefined || f.severity === severity))
    .map((f) => f.id);

// Every environment here follows the secure defaults; secrets come from the environment.
const good = writeFile(
  dir,
  'good.mjs',
  `
const environment = (origin, secret) => ({
  deployment: { origin },
  options: {
    strategy: 'jwt',
    secret,
    jwt: { keys: [{ kid: 'k1', alg: 'HS256', secret: process.env.HS_KEY + origin }], issuer: origin, audience: 'api' },
    csrf: { trustedOrigins: [origin] },
    maxSessionsPerUser: { limit: 5, policy: 'evict-oldest' },
  },
  rateLimits: { login: { points: 5, duration: '15m' }, refresh: { points: 60, duration: '1m' } },
  policy: { level: 2, justifications: { rememberMe: 'opt-in on trusted devices; step-up for sensitive actions' } },
});
export const environments = {
  production: environment('https://app.example.com', process.env.PROD_SECRET),
  staging: environment('https://staging.example.com', process.env.STAGING_SECRET),
};
`,
);

// Each mistake here is one a finding must name.
const bad = writeFile(
  dir,
  'bad.mjs',
  `
export default {
  environments: {
    production: {
      deployment: { origin: 'https://app.example.com' },
      options: {
        strategy: 'jwt',
        secret: process.env.PROD_SECRET,
        jwt: {
          keys: [
            { kid: 'k1', alg: 'HS256', secret: process.env.HS_KEY + 'bad' },
            { kid: 'k0', alg: 'EdDSA', privateKey: JSON.parse(process.env.OLD_KEY) },
          ],
          issuer: 'https://app.example.com', audience: 'api', accessTokenTtl: '2h',
        },
        csrf: { trustedOrigins: ['https://app.example.com'], allowMissingOrigin: true },
        cookies: { sameSite: 'none' },
        refresh: { reuseWindow: '45s' },
      },
    },
    staging: {
      deployment: { origin: 'http://staging.example.com' },
      options: { secret: process.env.PROD_SECRET, cookies: { secure: false } },
      rateLimits: { login: { points: 100, duration: '1m' } },
    },
  },
};
`,
);

describe('sess check', () => {
  it('passes a config that follows the secure defaults: exit 0, infos only', async () => {
    const run = await sess(['check', good, '--json'], { env });
    expect(run.code).toBe(0);
    const report = run.json<Report>();
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({ error: 0, warn: 0 });
    expect(ids(report, 'production')).toEqual(
      expect.arrayContaining(['keys-overlap', 'keys-symmetric', 'timeout-absolute']),
    );
    const justified = report.findings.find((f) => f.id === 'timeout-absolute');
    expect(justified).toMatchObject({ severity: 'info', ref: 'ASVS 5.0 7.3.2' });
    expectClean(run, Object.values(secrets));
  });

  it('names every mistake with a severity and a reference, exits 1, and prints no secret', async () => {
    const run = await sess(['check', bad, '--json'], { env });
    expect(run.code).toBe(1);
    const report = run.json<Report>();
    expect(report.ok).toBe(false);
    expect(ids(report, 'production', 'error')).toEqual(['secret-reused']);
    expect(ids(report, 'production', 'warn')).toEqual(
      expect.arrayContaining([
        'cookie-samesite',
        'csrf-missing-origin',
        'refresh-reuse-window',
        'access-token-ttl',
        'rate-limit-login',
        'keys-mixed',
        'keys-retired-private',
      ]),
    );
    expect(ids(report, 'staging', 'error')).toEqual(
      expect.arrayContaining([
        'secret-reused',
        'deployment-http',
        'cookie-insecure',
        'csrf-missing',
      ]),
    );
    const lax = report.findings.find((f) => f.subject === 'staging' && f.id === 'rate-limit-login');
    expect(lax?.message).toMatch(/1500 attempts per 15 minutes/);
    const reused = report.findings.find((f) => f.subject === 'staging' && f.id === 'secret-reused');
    expect(reused).toMatchObject({ path: 'secret', ref: 'ASVS 5.0 13.3.1' });
    expect(reused?.message).toContain('production (secret)');
    expectClean(run, [...Object.values(secrets), d!]);

    const human = await sess(['check', bad], { env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/error secret-reused/);
    expect(human.stdout).toMatch(/\d+ error\(s\), \d+ warning\(s\)/);
    expectClean(human, Object.values(secrets));
  });

  it('flags human-made secrets as errors (core refuses them), in both roles, without the secret', async () => {
    const human = {
      PROD_SECRET: 'my-company-production-jwt-secret-2024',
      HS_KEY: 'your-256-bit-secret-your-256-bit-secret',
    };
    const file = writeFile(
      dir,
      'human.mjs',
      `export default { options: { secret: process.env.PROD_SECRET, strategy: 'jwt',
        jwt: { keys: [{ kid: 'k1', alg: 'HS256', secret: process.env.HS_KEY }], issuer: 'i', audience: 'a' } } };`,
    );
    const run = await sess(['check', file, '--json'], { env: human });
    expect(run.code).toBe(1);
    const findings = run.json<Report>().findings;
    expect(findings.filter((f) => f.id === 'secret-weak')).toEqual([
      expect.objectContaining({ severity: 'error', path: 'secret', ref: 'ASVS 5.0 11.2.3' }),
      expect.objectContaining({ severity: 'error', path: 'jwt.keys[0].secret' }),
    ]);
    expect(findings.filter((f) => f.id === 'config-invalid').map((f) => f.message)).toEqual([
      expect.stringMatching(/^secret: guessable \(looks made up by a person/),
      expect.stringMatching(/^jwt\.keys: key "k1": HS256 secret looks made up by a person/),
    ]);
    expect(findings.filter((f) => f.id === 'secret-weak')).toHaveLength(2);
    expectClean(run, Object.values(human));
  });

  it('refuses unknown keys of a config file, naming the closest known one', async () => {
    const file = writeFile(
      dir,
      'typo.json',
      JSON.stringify({
        options: { secret: secrets.prod },
        deploymnet: { origin: 'https://app.example.com' },
        rateLimits: { login: { points: 5, duraton: '15m' } },
      }),
    );
    const run = await sess(['check', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('typo.deploymnet: unknown option (did you mean `deployment`?)');
    expect(run.stderr).toContain(
      'typo.rateLimits.login.duraton: unknown option (did you mean `duration`?)',
    );
    const bare = writeFile(
      dir,
      'bare.json',
      JSON.stringify({ secret: secrets.prod, stratgey: 'jwt' }),
    );
    const options = await sess(['check', bare, '--json']);
    expect(options.code).toBe(1);
    expect(options.json<Report>().findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'config-invalid',
          message: 'stratgey: unknown option (did you mean `strategy`?)',
        }),
      ]),
    );
    expectClean(options, [secrets.prod]);
  });

  it("reports core's own validation issues as errors, without the secret", async () => {
    const short = 'tooShort-but-secret';
    const file = writeFile(dir, 'short.json', JSON.stringify({ options: { secret: short } }));
    const run = await sess(['check', file, '--json']);
    expect(run.code).toBe(1);
    const invalid = run.json<Report>().findings.filter((f) => f.id === 'config-invalid');
    expect(invalid).toEqual([
      expect.objectContaining({
        severity: 'error',
        subject: 'short',
        message: 'secret: must be at least 32 bytes (got 19)',
      }),
    ]);
    expectClean(run, [short]);
  });

  it('holds the timeouts against the ASVS level given with --level', async () => {
    const file = writeFile(
      dir,
      'level.json',
      JSON.stringify({ options: { secret: secrets.prod } }),
    );
    const level2 = await sess(['check', file, '--json']);
    const level3 = await sess(['check', file, '--json', '--level', '3']);
    const idle = (run: typeof level2) =>
      run
        .json<Report>()
        .findings.filter((f) => f.id === 'timeout-idle')
        .map((f) => f.message);
    expect(idle(level2)).toEqual([
      expect.stringMatching(/^rememberMe sessions stay idle up to 14d/),
    ]);
    expect(idle(level3)).toEqual([
      expect.stringMatching(/^standard sessions stay idle up to 30m, above 15m for level 3/),
      expect.stringMatching(/^rememberMe/),
    ]);
    expect((await sess(['check', file, '--level', '4'])).code).toBe(2);
  });

  it('writes the session policy document (ASVS 5.0 7.1.1, 7.1.2) as Markdown or JSON', async () => {
    const md = await sess(['check', good, '--policy', 'md'], { env });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# Session management policy');
    expect(md.stdout).toContain('| standard | 30m | 8h | — | browser session | yes |');
    expect(md.stdout).toContain(
      'Limit: 5 per user. A login past the limit ends the user’s oldest session.',
    );
    expect(md.stdout).toContain('ASVS 5.0 7.1.2');
    expectClean(md, Object.values(secrets));

    const out = join(dir, 'policy.json');
    const json = await sess(['check', good, '--policy', 'json', '-o', out, '--json'], { env });
    expect(json.code).toBe(0);
    expect(json.json<Report>().ok).toBe(true);
    const { policies } = JSON.parse(readFileSync(out, 'utf8'));
    expect(policies.map((p: { environment: string }) => p.environment)).toEqual([
      'production',
      'staging',
    ]);
    expect(policies[0]).toMatchObject({
      strategy: 'jwt',
      accessTokenMs: 900_000,
      refreshReuseWindowMs: 10_000,
      concurrentSessions: { limit: 5, policy: 'evict-oldest' },
    });
    expect(policies[0].sessionClasses[1]).toMatchObject({
      name: 'rememberMe',
      idleTimeoutMs: 14 * 86_400_000,
      withinLevel: false,
      justification: 'opt-in on trusted devices; step-up for sensitive actions',
    });
  });

  it('loads bare options, single environments, CommonJS and JSON; refuses what it cannot load (exit 2)', async () => {
    const bare = { secret: secrets.prod, csrf: { trustedOrigins: ['https://app.example.com'] } };
    const cjs = writeFile(dir, 'cjs.cjs', `module.exports = ${JSON.stringify(bare)};`);
    const run = await sess(['check', cjs, '--json']);
    expect(run.code).toBe(0);
    expect(run.json<Report>().findings.every((f) => f.subject === 'cjs')).toBe(true);

    const missing = await sess(['check', join(dir, 'nope.mjs'), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json()).toMatchObject({ error: { code: 'ERR_SESS_CLI_CONFIG' } });

    const leaky = 'sk-live-0123456789abcdef0123456789abcdef';
    const broken = writeFile(dir, 'broken.json', `{ "options": { "secret": "${leaky}" `);
    const badJson = await sess(['check', broken]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('is not valid JSON');
    expectClean(badJson, [leaky]);

    const throwing = writeFile(dir, 'throws.mjs', `JSON.parse(${JSON.stringify(leaky)});`);
    const thrown = await sess(['check', throwing]);
    expect(thrown.code).toBe(2);
    expect(thrown.stderr).toContain('cannot load');
    expectClean(thrown, [leaky]);

    const ts = writeFile(dir, 'config.ts', 'export const options = { secret: "x" as string };');
    const typescript = await sess(['check', ts]);
    if (!(process.features as { typescript?: unknown }).typescript) {
      expect(typescript.code).toBe(2);
      expect(typescript.stderr).toMatch(/cannot load TypeScript/);
    }

    const notConfig = writeFile(dir, 'empty.json', JSON.stringify({ environments: { a: 1 } }));
    expect((await sess(['check', notConfig])).code).toBe(2);
  });
});
