import {
  type RevocationEvent,
  type SessionRecord,
  type SessionStore,
  StoreError,
} from '@sess/core';
import { memoryStore } from '@sess/core/memory';
import { describe, expect, it } from 'vitest';
import {
  type ConformanceCase,
  conformanceCases,
  manualClock,
  planConformance,
  runCase,
  runConformance,
  type StoreFactory,
  type TestClock,
} from '../src/index.ts';
import { describeStoreConformance } from '../src/vitest.ts';

const byId = (id: string): ConformanceCase => {
  const found = conformanceCases.find((c) => c.id === id);
  if (!found) throw new Error(`no case ${id}`);
  return found;
};

/** A memory store with some operations replaced: each mutant breaks one rule of the contract. */
function mutant(
  patch: (inner: SessionStore, clock: TestClock) => Partial<SessionStore>,
): StoreFactory {
  return async () => {
    const clock = manualClock();
    const inner = memoryStore({ clock });
    const store = Object.assign(Object.create(inner) as SessionStore, patch(inner, clock));
    return { store, clock, fail: () => inner.close(), probe: { dump: async () => '' } };
  };
}

/** `update` as an upsert: it writes a deleted session back. */
const upsertingUpdate = mutant((inner) => ({
  async update(record, expectedVersion) {
    if (await inner.update(record, expectedVersion)) return true;
    if (await inner.get(record.id)) return false;
    await inner.create(record);
    return true;
  },
}));

/** `update` that ignores the expected version: a slow write undoes a newer one. */
const versionBlindUpdate = mutant((inner) => ({
  async update(record) {
    const current = await inner.get(record.id);
    return current ? inner.update(record, current.version) : false;
  },
}));

/** `createCapped` as check, then create: the count and the insert are separate steps. */
const checkThenCreate = mutant((inner) => ({
  async createCapped(record, { max, evictOldest, notBefore, now }) {
    const held = (await inner.listByUser(record.userId))
      .filter((r) => r.expiresAt > now && r.createdAt > notBefore)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    await new Promise((resolve) => setImmediate(resolve));
    const evicted: string[] = [];
    if (held.length >= max) {
      if (!evictOldest) return { created: false, evicted };
      for (const old of held.slice(0, held.length - max + 1)) {
        await inner.delete(old.id);
        evicted.push(old.id);
      }
    }
    await inner.create(record);
    return { created: true, evicted };
  },
}));

/** `getExpired` that also returns deleted records (it reads a copy kept on the side). */
const getExpiredOfDeleted: StoreFactory = async () => {
  const clock = manualClock();
  const inner = memoryStore({ clock });
  const written = new Map<string, SessionRecord>();
  const store = Object.assign(Object.create(inner) as SessionStore, {
    create: (record: SessionRecord) => {
      written.set(record.id, structuredClone(record));
      return inner.create(record);
    },
    getExpired: async (id: string) => {
      const kept = written.get(id);
      const now = clock.now();
      return kept && kept.expiresAt <= now && (kept.retainUntil ?? 0) > now ? kept : null;
    },
  });
  return { store, clock, fail: () => inner.close(), probe: { dump: async () => '' } };
};

const subject = (event: RevocationEvent): string =>
  event.type === 'deny' ? event.key : event.scope;

/** `recentRevocations` that tells only the writes it noted, noting each by copy, await, replace: concurrent notes are lost. */
const racyRevocationLog = mutant((inner) => {
  let noted = new Set<string>();
  const note = async (name: string): Promise<void> => {
    const copy = new Set(noted);
    await new Promise((resolve) => setImmediate(resolve));
    noted = copy.add(name);
  };
  return {
    deny: async (key, expiresAt) => {
      await inner.deny(key, expiresAt);
      await note(key);
    },
    setNotBefore: async (scope, at) => {
      await inner.setNotBefore(scope, at);
      await note(scope);
    },
    recentRevocations: async (since, now) =>
      (await inner.recentRevocations!(since, now)).filter((e) => noted.has(subject(e))),
  };
});

/** `recentRevocations` that dates each entry by its first write only (an insert-only written_at). */
const firstWriteOnly = mutant((inner, clock) => {
  const firstWritten = new Map<string, number>();
  const note = (name: string): void => {
    if (!firstWritten.has(name)) firstWritten.set(name, clock.now());
  };
  return {
    deny: (key, expiresAt) => {
      note(key);
      return inner.deny(key, expiresAt);
    },
    setNotBefore: (scope, at) => {
      note(scope);
      return inner.setNotBefore(scope, at);
    },
    recentRevocations: async (since, now) =>
      (await inner.recentRevocations!(Number.NEGATIVE_INFINITY, now)).filter(
        (e) => (firstWritten.get(subject(e)) ?? 0) >= since,
      ),
  };
});

describe('planConformance', () => {
  it('keeps every case, with the skip reason where one is given', () => {
    const plan = planConformance({ skip: { 'round-trip': 'because' } });
    expect(plan).toHaveLength(conformanceCases.length);
    expect(plan.find((p) => p.conformanceCase.id === 'round-trip')?.skipReason).toBe('because');
    expect(plan.filter((p) => p.skipReason !== undefined)).toHaveLength(1);
  });

  it('refuses a skip without a reason and an unknown case id', () => {
    expect(() => planConformance({ skip: { 'round-trip': ' ' } })).toThrow(/needs a reason/);
    expect(() => planConformance({ skip: { 'no-such-case': 'x' } })).toThrow(/unknown case id/);
    expect(() =>
      describeStoreConformance(
        'bad',
        mutant(() => ({})),
        { skip: { 'get-missing': '' } },
      ),
    ).toThrow(/needs a reason/);
  });

  it('has unique, kebab-case ids', () => {
    const ids = conformanceCases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('runConformance', () => {
  it('reports skips with their reason and passes a correct store', async () => {
    const report = await runConformance(
      async () => {
        const clock = manualClock();
        const store = memoryStore({ clock });
        return { store, clock, fail: () => store.close() };
      },
      { skip: { 'secret-hashed': 'no probe here' } },
    );
    expect(report.results.filter((r) => r.status === 'failed')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results.find((r) => r.id === 'secret-hashed')).toMatchObject({
      status: 'skipped',
      reason: 'no probe here',
    });
  }, 20_000); // the whole kit, one case after the other

  it('skips cases for optional operations the store lacks, saying so', async () => {
    const factory = mutant(() => ({
      deleteExpired: undefined,
      subscribe: undefined,
      stats: undefined,
      createCapped: undefined,
      getExpired: undefined,
      recentRevocations: undefined,
    }));
    for (const [id, method] of [
      ['recent-revocations', /recentRevocations/],
      ['recent-revocations-rewrite', /recentRevocations/],
      ['recent-revocations-concurrent', /recentRevocations/],
      ['create-capped-reject', /createCapped/],
      ['create-capped-evict', /createCapped/],
      ['get-expired', /getExpired/],
      ['delete-expired-retention', /deleteExpired/],
    ] as const) {
      await expect(runCase(byId(id), factory)).resolves.toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(method),
      });
    }
    await expect(runCase(byId('delete-expired'), factory)).resolves.toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/deleteExpired/),
    });
    await expect(runCase(byId('stats'), factory)).resolves.toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/stats/),
    });
    await expect(runCase(byId('subscribe'), factory)).resolves.toMatchObject({ status: 'skipped' });
    for (const id of ['ttl-on-every-key', 'touch-keeps-expiry']) {
      await expect(runCase(byId(id), factory)).resolves.toMatchObject({
        status: 'skipped',
        reason: expect.stringMatching(/probe has no/),
      });
    }
  });

  it('fails a case that needs fail() or a probe when the factory gives none', async () => {
    const factory: StoreFactory = async () => ({ store: memoryStore() });
    await expect(runCase(byId('fail-rejects'), factory)).rejects.toThrow(/needs fail\(\)/);
    await expect(runCase(byId('secret-hashed'), factory)).rejects.toThrow(/needs probe/);
  });

  it('cleans up after every case, and a case failure wins over a cleanup failure', async () => {
    let cleaned = 0;
    const factory =
      (broken: boolean): StoreFactory =>
      async () => {
        const inner = memoryStore();
        const store = broken
          ? Object.assign(Object.create(inner), { get: async () => undefined })
          : inner;
        return {
          store,
          cleanup: async () => {
            cleaned++;
            throw new Error('cleanup broke');
          },
        };
      };
    await expect(runCase(byId('get-missing'), factory(false))).rejects.toThrow('cleanup broke');
    await expect(runCase(byId('get-missing'), factory(true))).rejects.toMatchObject({
      code: 'ERR_ASSERTION',
    });
    expect(cleaned).toBe(2);
  });
});

// Each mutant breaks one rule; the case that guards it must fail (so the kit can fail at all).
const mutants: [caseId: string, rule: string, factory: StoreFactory][] = [
  [
    'update-cas-concurrent',
    'read, await, write (no compare-and-set)',
    mutant((inner) => ({
      async update(record, expectedVersion) {
        const current = await inner.get(record.id);
        if (!current || current.version !== expectedVersion) return false;
        await new Promise((resolve) => setImmediate(resolve));
        await inner.delete(record.id);
        await inner.create(record);
        return true;
      },
    })),
  ],
  ['update-never-creates', 'update is an upsert', upsertingUpdate],
  [
    'delete-concurrent',
    'delete checks, awaits, then deletes (every racer sees the record)',
    mutant((inner) => ({
      async delete(id) {
        const existed = (await inner.get(id)) !== null;
        await new Promise((resolve) => setImmediate(resolve));
        await inner.delete(id);
        return existed;
      },
    })),
  ],
  ['create-capped-reject', 'createCapped checks, awaits, then creates', checkThenCreate],
  ['create-capped-evict', 'createCapped checks, awaits, then evicts and creates', checkThenCreate],
  [
    'create-capped-reject',
    'createCapped counts records created before notBefore',
    mutant((inner) => ({
      createCapped: (record, cap) => inner.createCapped!(record, { ...cap, notBefore: 0 }),
    })),
  ],
  [
    'create-capped-evict',
    'createCapped evicts the newest instead of the oldest',
    mutant((inner) => ({
      async createCapped(record, cap) {
        const held = (await inner.listByUser(record.userId))
          .filter((r) => r.createdAt > cap.notBefore)
          .sort((a, b) => b.createdAt - a.createdAt);
        const evicted = held.slice(0, Math.max(0, held.length - cap.max + 1)).map((r) => r.id);
        for (const id of evicted) await inner.delete(id);
        await inner.create(record);
        return { created: true, evicted };
      },
    })),
  ],
  [
    'get-expired',
    'getExpired returns live records too',
    mutant((inner) => ({
      getExpired: async (id) => (await inner.get(id)) ?? inner.getExpired!(id),
    })),
  ],
  ['get-expired', 'getExpired returns deleted records', getExpiredOfDeleted],
  [
    'get-expired',
    'update revives a retained record',
    mutant((inner) => ({
      async update(record, expectedVersion) {
        const retained = await inner.getExpired!(record.id);
        if (retained?.version !== expectedVersion) return inner.update(record, expectedVersion);
        await inner.delete(record.id);
        await inner.create(record);
        return true;
      },
    })),
  ],
  [
    'delete-expired-retention',
    'deleteExpired reaps at expiresAt, ignoring retainUntil',
    mutant((inner) => {
      const seenUsers = new Set<string>();
      return {
        deleteExpired: async (now: number) => {
          let count = 0;
          for (const userId of seenUsers) {
            for (const r of await inner.listByUser(userId)) {
              if (r.expiresAt <= now && (await inner.delete(r.id))) count++;
            }
          }
          return count + (await inner.deleteExpired!(now));
        },
        create: (record: SessionRecord) => {
          seenUsers.add(record.userId);
          return inner.create(record);
        },
      };
    }),
  ],
  ['update-stale', 'update ignores the version', versionBlindUpdate],
  [
    'expiry-on-read',
    'expiry checked against a clock that never moves',
    async () => {
      const clock = manualClock();
      return { store: memoryStore({ clock: manualClock(clock.now()) }), clock };
    },
  ],
  [
    'round-trip',
    'nulls in meta dropped',
    mutant((inner) => ({
      async get(id) {
        const record = await inner.get(id);
        if (record)
          record.meta = Object.fromEntries(
            Object.entries(record.meta).filter(([, v]) => v !== null),
          );
        return record;
      },
    })),
  ],
  [
    'copies',
    'the caller’s object is stored by reference',
    mutant(() => {
      const kept = new Map<string, SessionRecord>();
      return {
        create: async (r) => void kept.set(r.id, r),
        get: async (id) => kept.get(id) ?? null,
      };
    }),
  ],
  [
    'create-duplicate',
    'create overwrites',
    mutant((inner) => ({
      async create(record) {
        await inner.delete(record.id);
        await inner.create(record);
      },
    })),
  ],
  [
    'create-duplicate',
    'create rejects a duplicate with the raw driver error, not StoreError duplicate-id',
    mutant((inner) => ({
      async create(record) {
        if (await inner.get(record.id))
          throw new Error('duplicate key value violates unique constraint');
        await inner.create(record);
      },
    })),
  ],
  [
    'create-duplicate',
    'createCapped rejects a duplicate with a StoreError of another reason',
    mutant((inner) => ({
      async createCapped(record, cap) {
        if (await inner.get(record.id)) throw new StoreError('createCapped');
        return inner.createCapped!(record, cap);
      },
    })),
  ],
  [
    'create-duplicate',
    'createCapped overwrites a live id',
    mutant((inner) => ({
      async createCapped(record, cap) {
        await inner.delete(record.id);
        return inner.createCapped!(record, cap);
      },
    })),
  ],
  [
    'create-capped-reject',
    'createCapped rejects a duplicate with the raw driver error',
    mutant((inner) => ({
      async createCapped(record, cap) {
        if (await inner.get(record.id))
          throw new Error('duplicate key value violates unique constraint');
        return inner.createCapped!(record, cap);
      },
    })),
  ],
  [
    'get-missing',
    'get returns undefined',
    mutant((inner) => ({ get: async (id) => (await inner.get(id)) ?? (undefined as never) })),
  ],
  [
    'delete-idempotent',
    'delete always true',
    mutant((inner) => ({ delete: async (id) => (await inner.delete(id)) || true })),
  ],
  [
    'by-user-isolation',
    'except ignored',
    mutant((inner) => ({ deleteByUser: (userId) => inner.deleteByUser(userId) })),
  ],
  [
    'deny-list',
    'a later deny lowers the expiry',
    mutant(() => {
      const until = new Map<string, number>();
      return {
        deny: async (key, expiresAt) => void until.set(key, expiresAt),
        isDenied: async (key) => (until.get(key) ?? 0) > Date.now(),
      };
    }),
  ],
  [
    'not-before',
    'a watermark can be lowered',
    mutant(() => {
      const marks = new Map<string, number>();
      return {
        setNotBefore: async (scope, at) => void marks.set(scope, at),
        getNotBefore: async (userId) => Math.max(marks.get(userId) ?? 0, marks.get('*') ?? 0),
      };
    }),
  ],
  [
    'recent-revocations',
    'recentRevocations leaves watermarks out',
    mutant((inner) => ({
      recentRevocations: async (since, now) =>
        (await inner.recentRevocations!(since, now)).filter((e) => e.type === 'deny'),
    })),
  ],
  [
    'recent-revocations',
    'recentRevocations returns deny entries that expired (judged at 0, not at now)',
    mutant((inner) => ({ recentRevocations: (since) => inner.recentRevocations!(since, 0) })),
  ],
  [
    'recent-revocations',
    'recentRevocations judges expiry by the store clock instead of its now argument',
    mutant((inner, clock) => ({
      recentRevocations: (since) => inner.recentRevocations!(since, clock.now()),
    })),
  ],
  [
    'recent-revocations',
    'recentRevocations returns the value of the first write, not the current one',
    mutant((inner) => {
      const first = new Map<string, number>();
      const keep = (name: string, value: number) =>
        void (first.has(name) || first.set(name, value));
      return {
        deny: (key, expiresAt) => {
          keep(key, expiresAt);
          return inner.deny(key, expiresAt);
        },
        setNotBefore: (scope, at) => {
          keep(scope, at);
          return inner.setNotBefore(scope, at);
        },
        recentRevocations: async (since, now) =>
          (await inner.recentRevocations!(since, now)).map((e) =>
            e.type === 'deny'
              ? { ...e, expiresAt: first.get(e.key)! }
              : { ...e, at: first.get(e.scope)! },
          ),
      };
    }),
  ],
  [
    'recent-revocations',
    'recentRevocations filters on since backwards (entries written before it)',
    mutant((inner) => ({
      recentRevocations: async (since, now) => {
        const recent = new Set(
          (await inner.recentRevocations!(since, now)).map((e) => `${e.type} ${subject(e)}`),
        );
        return (await inner.recentRevocations!(Number.NEGATIVE_INFINITY, now)).filter(
          (e) => !recent.has(`${e.type} ${subject(e)}`),
        );
      },
    })),
  ],
  ['recent-revocations-rewrite', 'a write again keeps the first write time', firstWriteOnly],
  [
    'recent-revocations-concurrent',
    'concurrent writes to the revocation log are lost',
    racyRevocationLog,
  ],
  [
    'recent-revocations-concurrent',
    'recentRevocations returns times as strings (bigint columns read as-is)',
    mutant((inner) => ({
      recentRevocations: async (since, now) =>
        (await inner.recentRevocations!(since, now)).map(
          (e) => (e.type === 'deny' ? { ...e, expiresAt: String(e.expiresAt) } : e) as never,
        ),
    })),
  ],
  [
    'delete-expired',
    'deleteExpired ignores its argument',
    mutant(() => ({ deleteExpired: async () => 0 })),
  ],
  [
    'stats',
    'stats counts records its clock has not dropped yet',
    mutant((inner) => ({ stats: (_now, options) => inner.stats!(0, options) })),
  ],
  [
    'stats',
    'stats ranks users in creation order',
    mutant((inner) => ({
      stats: async (now, options) => {
        const counted = await inner.stats!(now, { ...options, topUsers: 100 });
        counted.topUsers = counted.topUsers.reverse().slice(0, options.topUsers);
        return counted;
      },
    })),
  ],
  [
    'subscribe',
    'unsubscribe does nothing',
    mutant((inner) => ({
      subscribe: (listener) => {
        inner.subscribe?.(listener);
        return () => {};
      },
    })),
  ],
  [
    'fail-rejects',
    'get swallows errors and returns null',
    mutant((inner) => ({ get: (id) => inner.get(id).catch(() => null) })),
  ],
  ['secret-hashed', 'the probe cannot see the record', mutant(() => ({}))],
  [
    'ttl-on-every-key',
    'deny-list entries are written without an expiry',
    async () => {
      const clock = manualClock();
      const inner = memoryStore({ clock });
      const unexpiring: string[] = [];
      const store = Object.assign(Object.create(inner) as SessionStore, {
        deny: (key: string, expiresAt: number) => {
          unexpiring.push(`deny:${key}`);
          return inner.deny(key, expiresAt);
        },
      });
      return {
        store,
        clock,
        probe: { dump: async () => '', unexpiringKeys: async () => unexpiring },
      };
    },
  ],
  [
    'touch-keeps-expiry',
    'the backend expiry is set on create and never moved',
    async () => {
      const clock = manualClock();
      const inner = memoryStore({ clock });
      const expiries = new Map<string, number>();
      const store = Object.assign(Object.create(inner) as SessionStore, {
        create: (record: SessionRecord) => {
          expiries.set(record.id, record.expiresAt);
          return inner.create(record);
        },
      });
      const backendExpiry = async (id: string) => expiries.get(id) ?? null;
      return { store, clock, probe: { dump: async () => '', backendExpiry } };
    },
  ],
  [
    'users-many-slots',
    'users whose ids land on the same shard see each other’s sessions',
    mutant((inner) => {
      const users = new Set<string>();
      const shard = (userId: string) => userId.length % 3;
      return {
        create: (record) => {
          users.add(record.userId);
          return inner.create(record);
        },
        listByUser: async (userId) => {
          const mates = [...users].filter((u) => shard(u) === shard(userId));
          return (await Promise.all(mates.map((u) => inner.listByUser(u)))).flat();
        },
      };
    }),
  ],
  [
    'model-interleavings',
    'delete reports success but keeps the session (revoke is a no-op)',
    mutant(() => ({ delete: async () => true })),
  ],
  [
    'model-interleavings',
    'deleteByUser deletes nothing (log out everywhere is a no-op)',
    mutant(() => ({ deleteByUser: async () => 0 })),
  ],
  ['model-interleavings', 'update writes a deleted session back (an upsert)', upsertingUpdate],
  [
    'model-interleavings',
    'update ignores the version: a slow touch undoes a rotation',
    versionBlindUpdate,
  ],
  [
    'model-access-tokens',
    'deny is a no-op: a revoked session’s access tokens live on elsewhere',
    mutant(() => ({ deny: async () => {} })),
  ],
  [
    'model-access-tokens',
    'setNotBefore is a no-op: log out everywhere leaves access tokens alive',
    mutant(() => ({ setNotBefore: async () => {} })),
  ],
  [
    'model-interleavings',
    'expiry checked against a clock that never moves',
    async () => {
      const clock = manualClock();
      return { store: memoryStore({ clock: manualClock(clock.now()) }), clock };
    },
  ],
];

describe('recentRevocations cases follow the contract, not more', () => {
  it.each(['recent-revocations', 'recent-revocations-rewrite', 'recent-revocations-concurrent'])(
    '%s passes a store that ignores since (an answer may repeat older entries)',
    async (id) => {
      const ignoresSince = mutant((inner) => ({
        recentRevocations: (_since, now) => inner.recentRevocations!(Number.NEGATIVE_INFINITY, now),
      }));
      await expect(runCase(byId(id), ignoresSince)).resolves.toEqual({ status: 'passed' });
    },
  );
});

describe('every case can fail', () => {
  it.each(mutants)('%s fails when %s', async (caseId, _rule, factory) => {
    await expect(runCase(byId(caseId), factory)).rejects.toMatchObject({ code: 'ERR_ASSERTION' });
  });
});
