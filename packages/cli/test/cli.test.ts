import { accessSync, constants, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, sess } from './support.ts';

const COMMANDS = [
  'check',
  'keygen',
  'jwks',
  'sessions',
  'sessions list',
  'sessions revoke',
  'sessions revoke-user',
  'revoke-everything',
  'cleanup',
  'stats',
  'probe',
];

describe('the sess binary', () => {
  it('is an executable node script', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(CLI, constants.X_OK)).not.toThrow();
  });

  it.each(COMMANDS)('sess %s --help describes the command and exits 0', async (command) => {
    const run = await sess([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: sess ${command} `));
  });

  it('prints its version, and exits 2 on an unknown command or option', async () => {
    const version = await sess(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = await sess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    expect((await sess(['stats', '--no-such-option'])).code).toBe(2);
    expect((await sess(['stats', '--top', 'many', '--store', 'file:x.db'])).code).toBe(2);
  });
});
