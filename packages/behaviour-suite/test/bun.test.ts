import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceAliases } from '../../../vitest.shared.ts';
import { startTarget } from '../src/apps.ts';
import { type BunHost, bunBinary, startBunHost } from '../src/bun-host.ts';
import { CONTROL_PATH, CONTROL_TOKEN_HEADER } from '../src/control.ts';
import { cases, runCase, STRATEGIES } from './cases.ts';

// Every behaviour case on `@sess/web` under Bun.serve, with the one-line mount and with each
// handler mounted by hand, compared with the transcript of the same case on Express (which
// behaviour.test.ts holds every Node binding to). One Bun process serves all of them: each case
// resets its fixture and app through the control endpoint.
const bun = bunBinary();

describe.skipIf(bun === null)('@sess/web under Bun.serve', () => {
  let host: BunHost;
  beforeAll(async () => {
    host = await startBunHost(bun!, sourceAliases);
  });
  afterAll(async () => {
    await host?.close();
    expect(host?.stderr() ?? '', 'bun printed nothing on stderr').toBe('');
  });

  it('the control endpoint answers only calls that carry the run’s token', async () => {
    const target = await host.target({ strategy: 'database' });
    const advance = (headers: Record<string, string>) =>
      fetch(host.url + CONTROL_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ method: 'advance', args: [60_000] }),
      });
    expect((await advance({})).status).toBe(403);
    expect((await advance({ [CONTROL_TOKEN_HEADER]: 'guessed' })).status).toBe(403);
    expect((await target.fx.metrics()).events['session.created']).toBe(0);
  });

  for (const strategy of STRATEGIES) {
    describe(`behaviour (${strategy} strategy), identical to Express`, () => {
      for (const c of cases) {
        if (c.strategies && !c.strategies.includes(strategy)) continue;
        it(c.name, async () => {
          const express = await runCase(c, strategy, 'express', (setup) =>
            startTarget('express', setup),
          );
          for (const mount of ['routes', 'handlers'] as const) {
            const variant = mount === 'routes' ? 'web on Bun' : 'web on Bun (by hand)';
            const onBun = await runCase(c, strategy, variant, (setup) =>
              host.target({ ...setup, mount }),
            );
            expect(onBun, variant).toEqual(express);
          }
        });
      }
    });
  }
});
