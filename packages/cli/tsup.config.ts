import { defineConfig } from 'tsup';
import { library } from '../../tsup.shared.ts';

// The binary only: one ESM file whose shebang (from src/cli.ts) tsup keeps and marks executable.
export default defineConfig({
  ...library({ cli: 'src/cli.ts' }, 'node'),
  format: ['esm'],
  dts: false,
  target: 'node20',
});
