// The size budget, checked by every build: the ESM bundle minified and gzipped must stay under
// 3 KB. esbuild is tsup's own dependency, so it is resolved through tsup.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const BUDGET = 3072;
const require = createRequire(import.meta.url);
const esbuild = require(createRequire(require.resolve('tsup')).resolve('esbuild'));
const source = readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8');
const { code } = await esbuild.transform(source, { minify: true, format: 'esm', target: 'es2022' });
const bytes = gzipSync(code, { level: 9 }).length;
const verdict = bytes <= BUDGET ? 'within' : 'OVER';
console.log(`@sess/client: ${bytes} bytes min+gzip (${verdict} the ${BUDGET}-byte budget)`);
if (bytes > BUDGET) process.exit(1);
