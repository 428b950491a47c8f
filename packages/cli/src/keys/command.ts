import { randomBytes, webcrypto } from 'node:crypto';
import { createKeyring, isSessError, type KeyInput, type PublicJwk } from '@sess/core';
import type { Command } from 'commander';
import pc from 'picocolors';
import { type CommandContext, outputOf, withJson } from '../command.ts';
import { loadEnvironments, pickEnvironment } from '../config/load.ts';
import { CliError, EXIT } from '../errors.ts';

type Alg = 'HS256' | 'EdDSA' | 'ES256';

const GENERATE = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
} as const;

function alg(value: string): Alg {
  if (value === 'HS256' || value === 'EdDSA' || value === 'ES256') return value;
  throw new CliError('ERR_SESS_CLI_USAGE', `--alg must be HS256, EdDSA or ES256 (got ${value})`);
}

function format(value: string): 'jwk' | 'pem' {
  if (value === 'jwk' || value === 'pem') return value;
  throw new CliError('ERR_SESS_CLI_USAGE', `--format must be jwk or pem (got ${value})`);
}

const pem = (label: string, der: ArrayBuffer): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END ${label}-----\n`;

/** A new key as a `jwt.keys` entry, plus its public JWKS (empty for HS256), checked by core's keyring. */
export async function generateKey(
  algorithm: Alg,
  kid: string,
  as: 'jwk' | 'pem',
): Promise<{ key: KeyInput; publicKeyPem: string | null; jwks: { keys: PublicJwk[] } }> {
  let key: KeyInput;
  let publicKeyPem: string | null = null;
  if (algorithm === 'HS256') {
    key = { kid, alg: 'HS256', secret: randomBytes(32).toString('base64url') };
  } else {
    const pair = (await webcrypto.subtle.generateKey(GENERATE[algorithm], true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    if (as === 'pem') {
      key = {
        kid,
        alg: algorithm,
        privateKey: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', pair.privateKey)),
      };
      publicKeyPem = pem('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', pair.publicKey));
    } else {
      // Only the key members, with the JOSE algorithm name (Web Crypto writes its own, or none).
      const { kty, crv, x, y, d } = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
      key = {
        kid,
        alg: algorithm,
        privateKey: { kty, crv, x, ...(y ? { y } : {}), d, alg: algorithm },
      };
    }
  }
  return { key, publicKeyPem, jwks: await createKeyring([key]).jwks() };
}

const defaultKid = (): string =>
  `${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;

/** `sess keygen` and `sess jwks`. */
export function registerKeys(program: Command, ctx: CommandContext): void {
  withJson(program.command('keygen'))
    .description('generate an access-token signing key (and the JWKS of an asymmetric one)')
    .requiredOption('--alg <alg>', 'HS256, EdDSA or ES256', alg)
    .option('--kid <kid>', 'key id (default: today’s date and a random suffix)')
    .option('--format <format>', 'asymmetric private key as jwk or pem', format, 'jwk')
    .action(async (flags: { alg: Alg; kid?: string; format: 'jwk' | 'pem'; json?: boolean }) => {
      const out = outputOf(ctx, flags);
      const generated = await keysOrUsage(() =>
        generateKey(flags.alg, flags.kid ?? defaultKid(), flags.format),
      );
      const { key, publicKeyPem, jwks } = generated;
      const entry = `${pc.bold('jwt.keys entry')} (the first key signs; keep the previous one after it to verify):`;
      const lines = [
        pc.yellow('A new secret key: put it in your secret store now; it is not kept anywhere.'),
        '',
      ];
      if (publicKeyPem && 'privateKey' in key && typeof key.privateKey === 'string') {
        const { privateKey, ...rest } = key;
        lines.push(entry, `${JSON.stringify(rest)} with privateKey:`, privateKey.trimEnd());
        lines.push('', pc.bold('Public key (SPKI PEM):'), publicKeyPem.trimEnd());
      } else {
        lines.push(entry, JSON.stringify(key, null, 2));
      }
      lines.push(
        '',
        key.alg === 'HS256'
          ? pc.dim('HS256 keys are shared secrets: they are never published in a JWKS.')
          : `${pc.bold('Public JWKS')} (publish it, for example at /.well-known/jwks.json):\n${JSON.stringify(jwks, null, 2)}`,
      );
      out.result({ key, publicKeyPem, jwks }, lines.join('\n'));
      ctx.exit(EXIT.OK);
    });

  withJson(program.command('jwks'))
    .description('print the public JWKS of the keyring in a config')
    .argument('<config>', 'config file (see sess check)')
    .option('--env <name>', 'the environment, when the config has several')
    .action(async (file: string, flags: { env?: string; json?: boolean }) => {
      const out = outputOf(ctx, flags);
      const env = pickEnvironment(await loadEnvironments([file]), flags.env);
      const keys = env.config.options.jwt?.keys;
      if (!Array.isArray(keys) || keys.length === 0) {
        throw new CliError('ERR_SESS_CLI_CONFIG', `${env.name}: the config has no jwt.keys`);
      }
      const jwks = await keysOrUsage(() => createKeyring(keys).jwks());
      if (jwks.keys.length === 0) out.note('HS256 keys are never published: the JWKS is empty.');
      out.result(jwks, JSON.stringify(jwks, null, 2));
      ctx.exit(EXIT.OK);
    });
}

// Core names the key by kid and never quotes its material, so its issues can be shown.
async function keysOrUsage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSessError(error) && error.code === 'ERR_SESS_CONFIG') {
      throw new CliError('ERR_SESS_CLI_CONFIG', 'core refused the keys', error.issues);
    }
    throw error;
  }
}
