import { defineConfig } from 'tsup';
import { library } from '../../tsup.shared.ts';

// 'neutral': the same bundle runs in browsers and in Node. No `keepNames`: the client has no class
// whose name is read, and its `__name` helpers would cost the size budget about 200 bytes.
export default defineConfig({ ...library({ index: 'src/index.ts' }, 'neutral'), keepNames: false });
