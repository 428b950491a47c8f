import { defineConfig } from 'tsup';
import { library } from '../../tsup.shared.ts';

// 'neutral': the same bundle runs in browsers and in Node.
export default defineConfig(library({ index: 'src/index.ts' }, 'neutral'));
