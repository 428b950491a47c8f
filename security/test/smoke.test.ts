import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf, startTarget, type Target, victim } from '../src/target.ts';

describe('the target harness', () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget('express', 'jwt');
  });
  afterAll(() => target?.close());

  it('logs a victim in, answers the oracle, and captures debug logs', async () => {
    const client = await victim(target);
    expect(await sessionIdOf(client)).toMatch(/\S/);
    expect(target.logs.length).toBeGreaterThan(0);
  });
});
