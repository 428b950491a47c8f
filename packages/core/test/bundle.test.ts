import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// A Worker is bundled without Node's main fields: esbuild's neutral platform reads `exports` only.
// The built entries (not the sources) must bundle so, with no extra flag, and the bundle must run.
const DIST = join(import.meta.dirname, '..', 'dist');

const app = `
import { createSessionManager, deviceLabel, estimateSecretStrength } from ${JSON.stringify(join(DIST, 'index.js'))};
import { memoryStore } from ${JSON.stringify(join(DIST, 'memory.js'))};
const sess = createSessionManager({ store: memoryStore(), secret: 'Hq3vW9zL2xT7nK4pR8sY1mB6cF0dJ5gA' });
const { credential } = await sess.create('alice');
const session = await sess.validate(credential);
console.log(JSON.stringify({ userId: session.userId, weak: estimateSecretStrength('password123').guessable, label: deviceLabel('Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0') }));
`;

describe('core bundles for Workers (esbuild --platform=neutral, no main fields)', () => {
  it('bundles the built entries and the bundle runs', async () => {
    expect(existsSync(join(DIST, 'index.js')), 'build @sess/core first').toBe(true);
    const result = await build({
      stdin: { contents: app, resolveDir: join(import.meta.dirname, '..'), loader: 'js' },
      bundle: true,
      platform: 'neutral',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    // Self-contained: nothing left for a runtime to resolve.
    expect(code).not.toMatch(/^\s*import\s.+from\s*["']/m);
    expect(code).not.toMatch(/\brequire\(["']/);
    const out = execFileSync(process.execPath, ['--input-type=module'], {
      input: code,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ userId: 'alice', weak: true, label: 'Firefox 133 on Linux' });
  });
});
