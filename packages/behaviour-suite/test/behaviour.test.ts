import { describe, expect, it } from 'vitest';
import { BINDINGS, startTarget } from '../src/apps.ts';
import type { Transcript } from '../src/client.ts';
import { cases, runCase, STRATEGIES } from './cases.ts';

// Every binding with the one-line mount, and each framework once more with its handlers mounted
// by hand: the mount must answer exactly as the handlers do. bun.test.ts runs the same cases on
// `@sess/web` under Bun.serve.
const VARIANTS = [
  ...BINDINGS.map((binding) => [binding, binding, 'routes'] as const),
  ...(['express', 'koa', 'hono', 'fastify', 'web'] as const).map(
    (b) => [`${b} (by hand)`, b, 'handlers'] as const,
  ),
];

for (const strategy of STRATEGIES) {
  describe(`behaviour (${strategy} strategy), identical on ${BINDINGS.join(', ')}`, () => {
    for (const c of cases) {
      if (c.strategies && !c.strategies.includes(strategy)) continue;
      it(c.name, async () => {
        const transcripts: Record<string, Transcript> = {};
        for (const [variant, binding, mount] of VARIANTS) {
          transcripts[variant] = await runCase(c, strategy, variant, (setup) =>
            startTarget(binding, { ...setup, mount }),
          );
        }
        for (const [variant] of VARIANTS) expect(transcripts[variant]).toEqual(transcripts.express);
      });
    }
  });
}
