import { describe, expect, it } from 'vitest';
import { outageLog } from '../src/outage-log.ts';

describe('the default onError', () => {
  it('writes one line per outage, with the code and no stack, then the count on recovery', () => {
    const lines: string[] = [];
    const log = outageLog((line) => lines.push(line));
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), {
      code: 'ECONNREFUSED',
    });
    for (let i = 0; i < 25; i++) log.onError(refused);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(lines[0]).not.toContain('127.0.0.1');
    expect(lines[0]).not.toContain('at ');
    log.ready();
    expect(lines[1]).toBe('[@sess/store-redis] Redis answers again after 25 errors');
    log.ready(); // a ready without errors before it says nothing
    log.onError(new TypeError('x'));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('TypeError');
  });
});
