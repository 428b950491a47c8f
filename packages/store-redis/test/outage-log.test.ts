import { describe, expect, it } from 'vitest';
import { outageLog } from '../src/outage-log.ts';
import { recordingLogger } from './logger.ts';

describe('the outage log', () => {
  it('logs one error per outage, with the code and no address or stack, then a warning with the count', () => {
    const { logger, lines } = recordingLogger();
    const log = outageLog(logger);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), {
      code: 'ECONNREFUSED',
    });
    for (let i = 0; i < 25; i++) log.failed(refused);
    expect(lines).toEqual([
      {
        level: 'error',
        message: expect.stringContaining('Redis is unreachable'),
        fields: { error: 'ECONNREFUSED' },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('127.0.0.1');
    log.ready();
    expect(lines[1]).toEqual({
      level: 'warn',
      message: 'redisStore: Redis answers again',
      fields: { failures: 25 },
    });
    log.ready(); // a ready without errors before it says nothing
    log.failed(new TypeError('x'));
    expect(lines).toHaveLength(3);
    expect(lines[2]?.fields).toEqual({ error: 'TypeError' });
  });
});
