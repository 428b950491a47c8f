import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type SessionStore,
  STORE_OPERATIONS,
  timeoutInterceptor,
  wrapStore,
} from '../src/index.ts';
import { memoryStore } from '../src/memory.ts';

describe('wrapStore', () => {
  it('runs the interceptor around every operation, with its name and arguments', async () => {
    const seen: [string, readonly unknown[]][] = [];
    const store = wrapStore(memoryStore(), (operation, args, call) => {
      seen.push([operation, args]);
      return call();
    });
    expect(await store.getNotBefore('alice')).toBe(0);
    await store.deny('k', Date.now() + 1_000);
    expect(seen).toEqual([
      ['getNotBefore', ['alice']],
      ['deny', ['k', expect.any(Number)]],
    ]);
  });

  it('has exactly the optional methods of the store it wraps; subscribe and close pass through', () => {
    const full = wrapStore(memoryStore(), (_op, _args, call) => call());
    for (const operation of STORE_OPERATIONS) expect(typeof full[operation]).toBe('function');
    const {
      createCapped: _a,
      getExpired: _b,
      deleteExpired: _c,
      stats: _d,
      subscribe: _e,
      ...bare
    } = memoryStore();
    const minimal = wrapStore(bare as SessionStore, (_op, _args, call) => call());
    for (const optional of ['createCapped', 'getExpired', 'deleteExpired', 'stats', 'subscribe']) {
      expect(optional in minimal, optional).toBe(false);
    }
    expect(typeof minimal.close).toBe('function');
  });
});

describe('timeoutInterceptor', () => {
  afterEach(() => vi.useRealTimers());

  it('rejects a pending operation with a timeout StoreError, and lets untimed ones wait', async () => {
    vi.useFakeTimers();
    const never = new Promise<never>(() => {});
    const hang = { ...memoryStore(), get: () => never, stats: () => never } as SessionStore;
    const store = wrapStore(
      hang,
      timeoutInterceptor(500, 'TestDB', (op) => op === 'stats'),
    );
    const get = store.get('id');
    const stats = store.stats!(0, { expiringBefore: 0, topUsers: 0 });
    let statsSettled = false;
    void stats.finally(() => {
      statsSettled = true;
    });
    vi.advanceTimersByTime(500);
    await expect(get).rejects.toMatchObject({
      code: 'ERR_SESS_STORE',
      operation: 'get',
      reason: 'timeout',
      message: 'Session store operation "get" failed: no answer from TestDB within 500 ms',
    });
    await Promise.resolve();
    expect(statsSettled).toBe(false);
  });

  it('passes results and errors through when they come in time', async () => {
    const store = wrapStore(memoryStore(), timeoutInterceptor(1_000, 'TestDB'));
    expect(await store.getNotBefore('alice')).toBe(0);
    await store.close!();
    await expect(store.get('x')).rejects.toMatchObject({ reason: 'closed' });
  });
});
