import { readFileSync } from 'node:fs';
import {
  createSessionManager,
  GLOBAL_SCOPE,
  httpStatusFor,
  type RevocationEvent,
} from '@sess/core';
import { makeRecord, manualClock, randomId } from '@sess/store-test-kit';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import {
  DEFAULT_POOL_OPTIONS,
  DELETE_BATCH_SIZE,
  migrate,
  type PostgresStore,
  postgresStore,
  schemaSql,
} from '../src/index.ts';
import {
  adminPool,
  backends,
  DATABASE_URL,
  describePg,
  freshSchema,
  recordingLogger,
  suffix,
  terminate,
  testPool,
  until,
} from './support.ts';

const SECRET = 'postgres-store-test-secret-5d1e9b3a7c4f2e8d6b0a';

// Everything a test opens is closed after it, failed or not.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function schemaForTest(options: { migrated?: boolean } = {}): Promise<string> {
  const { schema, drop } = await freshSchema(options);
  cleanups.push(drop);
  return schema;
}

function poolForTest(config: pg.PoolConfig = {}): pg.Pool {
  const pool = testPool(config);
  cleanups.push(async () => pool.ending || (await pool.end()));
  return pool;
}

function storeForTest(options: Parameters<typeof postgresStore>[0]): PostgresStore {
  const store = postgresStore({ logger: recordingLogger(), ...options });
  cleanups.push(() => store.close());
  return store;
}

const tables = async (schema: string): Promise<string[]> =>
  (
    await adminPool.query(
      'SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
      [schema],
    )
  ).rows.map((r) => r.tablename);

describePg('identifiers', () => {
  it.each([
    { schema: '' },
    { schema: 'Public' },
    { table: '1sessions' },
    { table: 'sess-sessions' },
    { table: 'sess sessions' },
    { table: 'sessions"; DROP TABLE users; --' },
    { table: 'sessiöns' },
    { table: `a${'b'.repeat(48)}` },
    { schema: `a${'b'.repeat(48)}` },
  ])('refuses %j with a ConfigError, before touching the database', async (names) => {
    const schema = await schemaForTest({ migrated: false });
    const options = { schema, ...names };
    const pool = poolForTest();
    await expect(migrate(pool, options)).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
    expect(() => postgresStore({ pool, ...options })).toThrow(
      expect.objectContaining({ code: 'ERR_SESS_CONFIG' }),
    );
    expect(() => schemaSql(names)).toThrow(expect.objectContaining({ code: 'ERR_SESS_CONFIG' }));
    expect(pool.totalCount).toBe(0);
    expect(await tables(schema)).toEqual([]);
  });

  it.each(['select', '_t', `a${'b'.repeat(47)}`])('accepts and quotes %j', async (table) => {
    const schema = await schemaForTest({ migrated: false });
    const pool = poolForTest();
    await migrate(pool, { schema, table });
    expect(await tables(schema)).toEqual([table, `${table}_deny`, `${table}_watermarks`].sort());
    const store = storeForTest({ pool, schema, table, channel: 'long_names' });
    const record = makeRecord(Date.now());
    await store.create(record);
    expect(await store.get(record.id)).toEqual(record);
  });

  it('refuses a default channel over 63 characters, and a bad channel, naming the option', () => {
    const pool = poolForTest();
    const long = `a${'b'.repeat(40)}`;
    expect(() => postgresStore({ pool, schema: long, table: long })).toThrow(/channel/);
    expect(() => postgresStore({ pool, channel: 'bad channel' })).toThrow(/channel/);
    expect(() => postgresStore({ pool, channel: 'x"; NOTIFY y; --' })).toThrow(/channel/);
  });

  it('keeps stores with different schemas on one database apart, broadcasts included', async () => {
    const [a, b] = await Promise.all([schemaForTest(), schemaForTest()]);
    const pool = poolForTest();
    const storeA = storeForTest({ pool, schema: a });
    const storeB = storeForTest({ pool, schema: b });
    const seenByB: RevocationEvent[] = [];
    storeB.subscribe((event) => seenByB.push(event));
    const record = makeRecord(Date.now());
    await storeA.create(record);
    await storeA.setNotBefore(GLOBAL_SCOPE, 5);
    await storeB.deny('marker', Date.now() + 60_000);
    await until(() => seenByB.length > 0, 2_000, "B's own event");
    expect(await storeB.get(record.id)).toBeNull();
    expect(await storeB.getNotBefore(record.userId)).toBe(0);
    expect(seenByB).toEqual([expect.objectContaining({ type: 'deny', key: 'marker' })]);
  });
});

describePg('migrate', () => {
  it('is idempotent and keeps data', async () => {
    const schema = await schemaForTest();
    const pool = poolForTest();
    const store = storeForTest({ pool, schema });
    const record = makeRecord(Date.now());
    await store.create(record);
    await migrate(pool, { schema });
    await migrate(pool, { schema });
    expect(await tables(schema)).toEqual([
      'sess_sessions',
      'sess_sessions_deny',
      'sess_sessions_watermarks',
    ]);
    expect(await store.get(record.id)).toEqual(record);
  });

  it('succeeds when 10 instances run it at once on a fresh schema', async () => {
    const schema = await schemaForTest({ migrated: false });
    const pools = Array.from({ length: 10 }, () => poolForTest({ max: 1 }));
    await Promise.all(pools.map((pool) => migrate(pool, { schema })));
    expect(await tables(schema)).toHaveLength(3);
    const { rows } = await adminPool.query(
      'SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1',
      [schema],
    );
    expect(rows[0].n).toBe(9); // three primary keys, six secondary indexes
  });

  it('takes no table lock when the schema is current, so it never waits on live writers', async () => {
    const schema = await schemaForTest();
    const writer = await adminPool.connect();
    cleanups.push(async () => writer.release(true));
    await writer.query('BEGIN');
    await writer.query(
      `INSERT INTO "${schema}".sess_sessions_deny (key, expires_at) VALUES ('held', 1)`,
    );
    const pool = poolForTest({ options: '-c lock_timeout=500' });
    await migrate(pool, { schema }); // CREATE INDEX IF NOT EXISTS would wait for the writer here
    await writer.query('ROLLBACK');
  });

  it('upgrades a table from before retention: adds retain_until, old rows keep working', async () => {
    const schema = await schemaForTest({ migrated: false });
    // The sessions table as versions before retention created it.
    await adminPool.query(`CREATE TABLE "${schema}".sess_sessions (
      id text COLLATE "C" PRIMARY KEY, user_id text COLLATE "C" NOT NULL,
      expires_at bigint NOT NULL, version bigint NOT NULL, record jsonb NOT NULL)`);
    const clock = manualClock();
    const old = makeRecord(clock.now());
    await adminPool.query(`INSERT INTO "${schema}".sess_sessions VALUES ($1, $2, $3, $4, $5)`, [
      old.id,
      old.userId,
      old.expiresAt,
      old.version,
      JSON.stringify(old),
    ]);
    const pool = poolForTest();
    await migrate(pool, { schema });
    await migrate(pool, { schema });
    const store = storeForTest({ pool, schema, clock });
    expect(await store.get(old.id)).toEqual(old);
    const kept = makeRecord(clock.now(), { retainUntil: clock.now() + 7_200_000 });
    await store.create(kept);
    clock.advance(3_600_000);
    expect(await store.getExpired(old.id)).toBeNull(); // no retainUntil: nothing retained
    expect(await store.getExpired(kept.id)).toEqual(kept);
    expect(await store.deleteExpired(clock.now())).toBe(1);
  });

  it('upgrades deny and watermark tables from before written_at: old rows read the migration time', async () => {
    const schema = await schemaForTest({ migrated: false });
    await migrate(adminPool, { schema });
    // The revocation tables as versions before recentRevocations created them, with a row each.
    for (const table of ['sess_sessions_deny', 'sess_sessions_watermarks']) {
      await adminPool.query(`DROP TABLE "${schema}".${table}`);
    }
    await adminPool.query(`CREATE TABLE "${schema}".sess_sessions_deny (
      key text COLLATE "C" PRIMARY KEY, expires_at bigint NOT NULL)`);
    await adminPool.query(`CREATE TABLE "${schema}".sess_sessions_watermarks (
      scope text COLLATE "C" PRIMARY KEY, at bigint NOT NULL)`);
    const before = Date.now();
    await adminPool.query(`INSERT INTO "${schema}".sess_sessions_deny VALUES ('jti:old', $1)`, [
      before + 600_000,
    ]);
    await adminPool.query(
      `INSERT INTO "${schema}".sess_sessions_watermarks VALUES ('u1', 5), ('*', 7)`,
    );
    const watermarks = `"${schema}".sess_sessions_watermarks`;
    const file = async () =>
      (
        await adminPool.query(`SELECT relfilenode FROM pg_class WHERE oid = $1::regclass`, [
          watermarks,
        ])
      ).rows[0].relfilenode;
    const unrewritten = await file();

    const pool = poolForTest();
    await migrate(pool, { schema });
    expect(await file()).toBe(unrewritten); // a column with a stable default: no table rewrite
    const migrated = Date.now();
    const store = storeForTest({ pool, schema });
    const global = { type: 'not-before', scope: GLOBAL_SCOPE, at: 7 }; // in every answer
    const old = [
      { type: 'deny', key: 'jti:old', expiresAt: before + 600_000 },
      { type: 'not-before', scope: 'u1', at: 5 },
      global,
    ];
    const answer = await store.recentRevocations(migrated - 60_000, migrated);
    expect(answer).toHaveLength(old.length);
    expect(answer).toEqual(expect.arrayContaining(old));
    expect(await store.recentRevocations(migrated + 60_000, migrated)).toEqual([global]);

    // A version still running without written_at inserts with the database's time.
    await adminPool.query(
      `INSERT INTO "${schema}".sess_sessions_deny (key, expires_at)
      VALUES ('jti:older-code', $1)`,
      [migrated + 600_000],
    );
    const recent = await store.recentRevocations(migrated, Date.now());
    expect(recent).toContainEqual({
      type: 'deny',
      key: 'jti:older-code',
      expiresAt: migrated + 600_000,
    });
  });

  it('creates tables, never schemas: a missing schema is an error', async () => {
    const pool = poolForTest();
    await expect(migrate(pool, { schema: `missing_${suffix()}` })).rejects.toMatchObject({
      code: '3F000',
    });
    expect(pool.totalCount).toBe(0); // the failed connection was destroyed, not pooled
  });

  it('ships schema.sql: the DDL for the default names', () => {
    const shipped = readFileSync(new URL('../schema.sql', import.meta.url), 'utf8');
    expect(shipped).toBe(schemaSql());
    expect(schemaSql({ schema: 'auth', table: 'sessions' })).toContain('"auth"."sessions_deny"');
  });

  it('the store runs no DDL: without migrate every operation rejects and nothing is created', async () => {
    const schema = await schemaForTest({ migrated: false });
    const store = storeForTest({ pool: poolForTest(), schema });
    await expect(store.create(makeRecord(Date.now()))).rejects.toMatchObject({ code: '42P01' });
    await expect(store.get(randomId())).rejects.toMatchObject({ code: '42P01' });
    await expect(store.deny('k', Date.now() + 1_000)).rejects.toMatchObject({ code: '42P01' });
    expect(await tables(schema)).toEqual([]);
  });
});

describePg('options and ownership', () => {
  it('needs exactly one of pool and url, and a real Pool', () => {
    expect(() => postgresStore({})).toThrow(expect.objectContaining({ code: 'ERR_SESS_CONFIG' }));
    expect(() => postgresStore({ pool: poolForTest(), url: DATABASE_URL })).toThrow(/exactly one/);
    expect(() => postgresStore({ pool: {} as pg.Pool })).toThrow(/pg Pool/);
    expect(() => postgresStore({ url: 42 as unknown as string })).toThrow(/string/);
  });

  it('never echoes a URL (or its password) in an error', () => {
    for (const url of [
      'http://user:hunter2-secret@host/db',
      'postgres://user:hunter2-secret@[bad',
    ]) {
      let error: unknown;
      try {
        postgresStore({ url });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'ERR_SESS_CONFIG' });
      expect(JSON.stringify(error) + String(error)).not.toContain('hunter2');
      expect((error as Error).cause).toBeUndefined();
    }
  });

  it('creates a fail-fast Pool from a url and ends it (and the LISTEN connection) on close', async () => {
    const schema = await schemaForTest();
    const application_name = `sess-owned-${suffix()}`;
    const store = storeForTest({ url: DATABASE_URL, schema, poolOptions: { application_name } });
    expect(store.pool.options).toMatchObject({ ...DEFAULT_POOL_OPTIONS, application_name });
    const show = async (setting: string) =>
      (await store.pool.query(`SHOW ${setting}`)).rows[0][setting];
    expect(await show('statement_timeout')).toBe('2s');
    expect(await show('idle_in_transaction_session_timeout')).toBe('5s');
    expect(store.pool.listenerCount('error')).toBe(1);

    store.subscribe(() => {});
    await until(async () => (await backends(application_name)) === 2, 2_000, 'pool + LISTEN');
    await store.close();
    await store.close(); // idempotent
    expect(store.pool.ended).toBe(true);
    // The server ends a backend shortly after its client said goodbye.
    await until(async () => (await backends(application_name)) === 0, 2_000, 'no backend left');
    await expect(store.get(randomId())).rejects.toThrow();
    expect(() => store.subscribe(() => {})).toThrow(/closed/);
  });

  it('leaves a user-owned Pool open on close and removes its error listener', async () => {
    const schema = await schemaForTest();
    const pool = poolForTest();
    const store = postgresStore({ pool, schema, logger: recordingLogger() });
    expect(pool.listenerCount('error')).toBe(1);
    await store.get(randomId());
    await store.close();
    expect(pool.listenerCount('error')).toBe(0);
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('warns once about a user-owned Pool without timeouts, and only then', () => {
    const logger = recordingLogger();
    storeForTest({ pool: poolForTest(), logger });
    expect(logger.lines).toEqual([]);
    storeForTest({
      pool: poolForTest({ connectionTimeoutMillis: 0, statement_timeout: false }),
      logger,
    });
    expect(logger.lines).toEqual([
      expect.stringMatching(/no timeouts.*connectionTimeoutMillis.*statement_timeout/),
    ]);
  });

  it('returns numbers and records whatever type parsers the Pool uses', async () => {
    const schema = await schemaForTest();
    // What applications commonly install: int8 as BigInt, json and jsonb left as strings.
    const overrides: Record<number, (value: string) => unknown> = {
      20: BigInt,
      114: String,
      3802: String,
    };
    const types = {
      getTypeParser: ((oid: number, format?: 'text') =>
        overrides[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    };
    const store = storeForTest({ pool: poolForTest({ types }), schema });
    const record = makeRecord(Date.now());
    await store.create(record);
    await store.setNotBefore(record.userId, 1_234);
    expect(await store.getNotBefore(record.userId)).toBe(1_234);
    expect(await store.listByUser(record.userId)).toEqual([record]);
    expect(await store.deleteByUser(record.userId, { except: [] })).toBe(1);
  });
});

describePg('across instances', () => {
  it('compare-and-set holds across Pools: 60 concurrent updates from 3 instances, one winner', async () => {
    const schema = await schemaForTest();
    const stores = [1, 2, 3].map(() => storeForTest({ pool: poolForTest({ max: 5 }), schema }));
    const base = makeRecord(Date.now());
    await stores[0]!.create(base);
    const writes = Array.from({ length: 60 }, (_, writer) => ({
      ...base,
      version: base.version + 1,
      data: { writer },
    }));
    const results = await Promise.all(
      writes.map((write, i) => stores[i % 3]!.update(write, base.version)),
    );
    const winners = writes.filter((_, i) => results[i]);
    expect(winners).toHaveLength(1);
    for (const store of stores) expect(await store.get(base.id)).toEqual(winners[0]);
  });

  it('createCapped holds across Pools: 60 concurrent logins of one user from 3 instances', async () => {
    const schema = await schemaForTest();
    const stores = [1, 2, 3].map(() => storeForTest({ pool: poolForTest({ max: 5 }), schema }));
    const now = Date.now();
    const userId = `user-${randomId()}`;
    const logins = Array.from({ length: 60 }, () => makeRecord(now, { userId }));
    const capped = (evictOldest: boolean) =>
      Promise.all(
        logins.map((record, i) =>
          stores[i % 3]!.createCapped(
            { ...record, id: `${record.id}-${evictOldest}` },
            { max: 4, evictOldest, notBefore: 0, now },
          ),
        ),
      );
    const rejecting = await capped(false);
    expect(rejecting.filter((r) => r.created)).toHaveLength(4);
    const evicting = await capped(true);
    expect(evicting.every((r) => r.created)).toBe(true);
    expect(evicting.flatMap((r) => r.evicted)).toHaveLength(60);
    expect(await stores[0]!.listByUser(userId)).toHaveLength(4);
  });

  it('deleteExpired run by 5 instances at once reaps each row exactly once', async () => {
    const schema = await schemaForTest();
    const stores = [1, 2, 3, 4, 5].map(() =>
      storeForTest({ pool: poolForTest({ max: 2 }), schema }),
    );
    const t = Date.now();
    await adminPool.query(
      `INSERT INTO "${schema}".sess_sessions (id, user_id, expires_at, version, record)
       SELECT 'gone-' || i, 'u', $1, 1, '{}' FROM generate_series(1, 2400) AS i`,
      [t],
    );
    const counts = await Promise.all(stores.map((store) => store.deleteExpired(t + 1)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2_400);
    expect(await stores[0]!.deleteExpired(t + 1)).toBe(0);
  });
});

describePg('failures surface, never hang', () => {
  it('a statement past statement_timeout rejects quickly, and core reports a 503', async () => {
    const schema = await schemaForTest();
    const clock = manualClock();
    const store = storeForTest({
      url: DATABASE_URL,
      schema,
      clock,
      poolOptions: { statement_timeout: 200 },
    });
    const sess = createSessionManager({ store, secret: SECRET, clock });
    const { credential, session } = await sess.create('alice');
    clock.advance(10 * 60_000); // past the touch threshold: validate will write

    const holder = await adminPool.connect();
    cleanups.push(async () => holder.release(true));
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "${schema}".sess_sessions WHERE id = $1 FOR UPDATE`, [
      session.id,
    ]);
    const started = performance.now();
    const error = await sess.validate(credential).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'ERR_SESS_STORE', cause: { code: '57014' } });
    expect(httpStatusFor((error as { code: 'ERR_SESS_STORE' }).code)).toBe(503);
    expect(elapsed).toBeLessThan(1_500);
    await holder.query('ROLLBACK');
    await sess.validate(credential); // the store carries on
  });

  it("an idle connection's failure never crashes the process; the Pool recovers", async () => {
    const schema = await schemaForTest();
    const application_name = `sess-idle-${suffix()}`;
    const pool = poolForTest({ application_name });
    expect(pool.listenerCount('error')).toBe(0); // the app attached none
    const logger = recordingLogger();
    const store = storeForTest({ pool, schema, logger });
    await Promise.all([store.get(randomId()), store.get(randomId())]);
    expect(pool.idleCount).toBeGreaterThan(0);
    expect(await terminate(application_name)).toBeGreaterThan(0);
    await until(() => pool.idleCount === 0, 2_000, 'the pool to drop its dead clients');
    expect(logger.lines).toContainEqual(expect.stringMatching(/idle pool connection.*57P01/));
    expect(await store.get(randomId())).toBeNull();
  });
});

describePg('deleteExpired', () => {
  /** A test Pool that records the text of every reap statement run through it. */
  const reapRecording = () => {
    const reaps: string[] = [];
    const pool = new Proxy(poolForTest(), {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property !== 'query') return typeof value === 'function' ? value.bind(target) : value;
        return (text: string, values: unknown[]) => {
          if (/^DELETE FROM .* IN \(SELECT/.test(text)) reaps.push(text);
          return target.query(text, values);
        };
      },
    });
    return { pool, reaps };
  };

  /** Sessions and deny keys inserted straight into the tables, all expiring at `expiresAt`. */
  const insertRows = async (
    schema: string,
    { sessions, denied, expiresAt }: { sessions: number; denied: number; expiresAt: number },
  ) => {
    await adminPool.query(
      `INSERT INTO "${schema}".sess_sessions (id, user_id, expires_at, version, record)
       SELECT 'row-' || i, 'u', $1, 1, '{}' FROM generate_series(1, $2::int) AS i`,
      [expiresAt, sessions],
    );
    await adminPool.query(
      `INSERT INTO "${schema}".sess_sessions_deny (key, expires_at)
       SELECT 'jti-' || i, $1 FROM generate_series(1, $2::int) AS i`,
      [expiresAt, denied],
    );
  };

  it(`deletes in batches of ${DELETE_BATCH_SIZE} rows, one statement each`, async () => {
    const schema = await schemaForTest();
    const { pool, reaps } = reapRecording();
    const store = storeForTest({ pool, schema });
    const t = Date.now();
    await insertRows(schema, { sessions: 1_200, denied: 1_100, expiresAt: t + 1_000 });
    const kept = makeRecord(t, { expiresAt: t + 60_000 });
    await store.create(kept);
    await store.deny('kept', t + 60_000);

    expect(await store.deleteExpired(t + 2_000)).toBe(2_300);
    const batches = (table: string) => reaps.filter((sql) => sql.includes(`"${table}" WHERE`));
    expect(batches('sess_sessions')).toHaveLength(3); // 500 + 500 + 200
    expect(batches('sess_sessions_deny')).toHaveLength(3); // 500 + 500 + 100
    expect(await store.get(kept.id)).toEqual(kept);
    expect(await store.isDenied('kept')).toBe(true);
    expect(await store.deleteExpired(t + 2_000)).toBe(0);
  });

  it('reads each batch off the reap index, even before the tables have statistics', async () => {
    // Just loaded, autovacuum not yet by: planned with LIMIT alone, a batch scanned every row
    // (about a second per 500 rows at a million sessions, past statement_timeout on a slow host).
    const schema = await schemaForTest();
    const { pool, reaps } = reapRecording();
    const store = storeForTest({ pool, schema });
    const t = Date.now();
    for (const table of ['sess_sessions', 'sess_sessions_deny']) {
      await adminPool.query(`ALTER TABLE "${schema}".${table} SET (autovacuum_enabled = false)`);
    }
    await insertRows(schema, { sessions: 20_000, denied: 20_000, expiresAt: t + 3_600_000 });
    expect(await store.deleteExpired(t)).toBe(0);
    expect(reaps).toHaveLength(2);
    type Node = { 'Node Type': string; 'Index Name'?: string; Plans?: Node[] };
    const nodes = (node: Node): Node[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
    for (const reap of reaps) {
      const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${reap}`, [t]);
      const locking = nodes(rows[0]['QUERY PLAN'][0].Plan).find(
        (n) => n['Node Type'] === 'LockRows',
      );
      // The rows a batch takes are those the node under FOR UPDATE yields.
      expect(locking?.Plans?.[0]).toMatchObject({ 'Node Type': 'Index Scan' });
    }
  });

  it('skips rows a request has locked instead of waiting for them', async () => {
    const schema = await schemaForTest();
    const store = storeForTest({ pool: poolForTest({ options: '-c lock_timeout=1000' }), schema });
    const t = Date.now();
    const [locked, free] = [makeRecord(t), makeRecord(t)];
    await store.create(locked);
    await store.create(free);
    const holder = await adminPool.connect();
    cleanups.push(async () => holder.release(true));
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "${schema}".sess_sessions WHERE id = $1 FOR UPDATE`, [
      locked.id,
    ]);
    expect(await store.deleteExpired(t + 7_200_000)).toBe(1);
    await holder.query('ROLLBACK');
    expect(await store.deleteExpired(t + 7_200_000)).toBe(1);
  });
});

describePg('subscribe', () => {
  it('opens one LISTEN connection for all subscribers, closes it with the last one', async () => {
    const schema = await schemaForTest();
    const application_name = `sess-listen-${suffix()}`;
    const store = storeForTest({ pool: poolForTest({ application_name, max: 1 }), schema });
    const listening = async () =>
      (
        await adminPool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
          [application_name],
        )
      ).rows[0].n;
    const seen: string[] = [];
    const listener = (event: RevocationEvent) => seen.push(event.type);
    const offA = store.subscribe(listener);
    const offB = store.subscribe(listener); // the same function twice: two subscriptions
    await store.deny(`jti-${randomId()}`, Date.now() + 60_000);
    await until(() => seen.length === 2, 2_000, 'both deliveries');
    expect(await listening()).toBe(1);
    offA();
    offA(); // idempotent: does not remove the other subscription
    await store.setNotBefore('u', 1);
    await until(() => seen.length === 3, 2_000, 'one more delivery');
    offB();
    await until(async () => (await listening()) === 0, 2_000, 'the LISTEN connection to close');
    store.subscribe(listener);
    await store.deny(`jti-${randomId()}`, Date.now() + 60_000);
    await until(() => seen.length === 4, 2_000, 'delivery after resubscribing');
  });

  it('delivers to every listener even when one throws, and ignores foreign notifications', async () => {
    const schema = await schemaForTest();
    const logger = recordingLogger();
    const store = storeForTest({ pool: poolForTest(), schema, logger });
    const seen: RevocationEvent[] = [];
    store.subscribe(() => {
      throw new Error('listener bug');
    });
    store.subscribe((event) => seen.push(event));
    await store.deny('first', Date.now() + 60_000);
    for (const payload of ['not json', '{"type":"deny","key":1}', '{"type":"other"}']) {
      await adminPool.query('SELECT pg_notify($1, $2)', [`${schema}.sess_sessions`, payload]);
    }
    await store.deny('second', Date.now() + 60_000);
    await until(() => seen.length === 2, 2_000, 'both denies');
    expect(seen.map((e) => e.type === 'deny' && e.key)).toEqual(['first', 'second']);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(logger.lines.filter((l) => l.includes('listener threw'))).toHaveLength(2);
    expect(logger.lines.filter((l) => l.includes('ignored a notification'))).toHaveLength(3);
  });

  it('broadcasts the kept value: the later deny expiry, the higher watermark', async () => {
    const schema = await schemaForTest();
    const store = storeForTest({ pool: poolForTest(), schema });
    const seen: RevocationEvent[] = [];
    store.subscribe((event) => seen.push(event));
    await store.deny('k', 2_000_000);
    await store.deny('k', 1_000_000);
    await store.setNotBefore('u', 500);
    await store.setNotBefore('u', 400);
    await until(() => seen.length === 4, 2_000, 'four events');
    expect(seen).toEqual([
      { type: 'deny', key: 'k', expiresAt: 2_000_000 },
      { type: 'deny', key: 'k', expiresAt: 2_000_000 },
      { type: 'not-before', scope: 'u', at: 500 },
      { type: 'not-before', scope: 'u', at: 500 },
    ]);
  });

  it('a failed revocation is neither stored nor broadcast', async () => {
    const schema = await schemaForTest();
    const store = storeForTest({ pool: poolForTest(), schema });
    const seen: RevocationEvent[] = [];
    store.subscribe((event) => seen.push(event));
    await expect(store.deny('x', 1.5)).rejects.toMatchObject({ code: '22P02' });
    await store.deny('marker', 2_000_000);
    await until(() => seen.length > 0, 2_000, 'the marker');
    expect(seen).toEqual([{ type: 'deny', key: 'marker', expiresAt: 2_000_000 }]);
  });
});

describePg('limits', () => {
  it('refuses U+0000 in session data (jsonb cannot hold it) with an error, not a corruption', async () => {
    const schema = await schemaForTest();
    const store = storeForTest({ pool: poolForTest(), schema });
    const record = makeRecord(Date.now(), { data: { note: 'a\u0000b' } });
    await expect(store.create(record)).rejects.toMatchObject({ code: '22P05' });
    expect(await store.get(record.id)).toBeNull();
  });
});
