import { describe, expect, it } from 'vitest';
import type { SessionManagerOptions, Strategy } from '../../src/index.ts';
import { jwtOptions, setup } from '../helpers.ts';

const csrf = { trustedOrigins: ['https://app.example.com'] };
const DAY = 86_400_000;

function guestSetup(strategy: Strategy = 'database', extra: Partial<SessionManagerOptions> = {}) {
  return setup({
    strategy,
    csrf,
    guest: { lifetime: '7d', maxBytes: 256 },
    ...(strategy === 'database' ? {} : { jwt: jwtOptions }),
    ...extra,
  });
}

const credentialOf = (cookies: readonly { name: string; value: string }[]) => {
  const cookie = cookies.find((c) => c.name === '__Host-guest');
  if (!cookie) throw new Error('no guest cookie');
  return cookie.value;
};

describe('guest sessions: configuration', () => {
  it('is refused without csrf, with a reserved class, or with bad limits, all at once', () => {
    expect(() =>
      setup({
        guest: { lifetime: '1d', idleTimeout: '2d', maxBytes: 1 },
        sessions: { guest: { idleTimeout: '1h' } },
      }),
    ).toThrow(
      expect.objectContaining({
        issues: [
          'guest.idleTimeout: must be positive and not longer than guest.lifetime',
          'guest.maxBytes: must be an integer from 2 to 1048576',
          'guest: needs the csrf option (guest writes ride a cookie)',
          'sessions.guest: reserved for guest sessions (set guest.lifetime instead)',
        ],
      }),
    );
    expect(() => setup({ csrf, guest: { lifetme: '1d' } as never })).toThrow(/guest.lifetme/);
  });

  it('every guest method is a ConfigError without the option', async () => {
    const { sess } = setup();
    expect(sess.guest.enabled).toBe(false);
    await expect(sess.guest.write(null, { a: 1 })).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
    await expect(sess.guest.read('x')).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
    expect(sess.clearCookies().map((c) => c.name)).not.toContain('__Host-guest');
  });

  it('reserves the guest user id prefix and class for guests', async () => {
    const { sess } = guestSetup();
    await expect(sess.create('sess:guest:abc')).rejects.toMatchObject({ code: 'ERR_SESS_CONFIG' });
    await expect(sess.create('u1', { sessionClass: 'guest' })).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
  });
});

describe.each(['database', 'jwt', 'hybrid'] as const)('guest sessions (%s)', (strategy) => {
  it('is created on the first write only, with its own cookie and no access token', async () => {
    const { sess, counter } = guestSetup(strategy);
    counter.reset();
    expect(await sess.guest.read(undefined)).toBeNull();
    expect(await sess.guest.read('garbage')).toBeNull();
    // a read without a credential touches no record (the replica's own sync aside)
    expect(counter.calls).not.toHaveProperty('get');
    expect(counter.calls).not.toHaveProperty('create');
    const first = await sess.guest.write(null, { cart: ['sku-1'] });
    expect(first.created).toBe(true);
    const [cookie] = first.cookies;
    expect(cookie).toMatchObject({
      name: '__Host-guest',
      options: { httpOnly: true, secure: true, path: '/', maxAge: 7 * 86_400 },
    });
    const credential = credentialOf(first.cookies);
    expect(await sess.guest.read(credential)).toMatchObject({ data: { cart: ['sku-1'] } });
    const second = await sess.guest.write(credential, (d) => ({ ...d, locale: 'fr' }));
    expect(second).toMatchObject({ created: false, cookies: [] });
    expect(second.guest.id).toBe(first.guest.id);
    expect((await sess.guest.read(credential))?.data).toEqual({ cart: ['sku-1'], locale: 'fr' });
  });

  it('is never a user session: refused by validate and refresh', async () => {
    const { sess } = guestSetup(strategy);
    const credential = credentialOf((await sess.guest.write(null, { a: 1 })).cookies);
    await expect(sess.validate(credential)).rejects.toMatchObject(
      strategy === 'database' ? { code: 'ERR_SESS_INVALID_CREDENTIAL', reason: 'type' } : {},
    );
    await expect(sess.refresh(credential)).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
      reason: 'type',
    });
    // and a user credential is no guest
    const user = await sess.create('u1');
    expect(await sess.guest.read(user.credential)).toBeNull();
  });

  it('upgrades at login: new id and secret, only the named keys, guest gone', async () => {
    const { sess } = guestSetup(strategy);
    const written = await sess.guest.write(null, { cart: ['a'], returnTo: '/x', secret: 'no' });
    const credential = credentialOf(written.cookies);
    const issued = await sess.guest.upgrade(credential, 'u1', {
      carry: ['cart', 'missing'],
      data: { theme: 'dark' },
    });
    expect(issued.session.id).not.toBe(written.guest.id);
    expect(issued.credential.startsWith(written.guest.id)).toBe(false);
    expect(issued.session.data).toEqual({ cart: ['a'], theme: 'dark' });
    expect(issued.session.userId).toBe('u1');
    if (strategy !== 'database') expect(issued.accessToken).toEqual(expect.any(String));
    expect(await sess.guest.read(credential)).toBeNull();
    await expect(sess.guest.upgrade(credential, 'u1')).rejects.toMatchObject({
      code: 'ERR_SESS_INVALID_CREDENTIAL',
    });
  });

  it('two concurrent upgrades of one guest: exactly one wins (100 callers)', async () => {
    const { sess } = guestSetup(strategy);
    const credential = credentialOf((await sess.guest.write(null, { cart: ['a'] })).cookies);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        sess.guest.upgrade(credential, `u${i % 2}`, { carry: ['cart'] }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = results.filter((r) => r.status === 'rejected');
    for (const r of lost) expect(r.reason).toMatchObject({ code: 'ERR_SESS_INVALID_CREDENTIAL' });
    const sessions = [...(await sess.list('u0')), ...(await sess.list('u1'))];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.data).toEqual({ cart: ['a'] });
  });
});

describe('guest sessions: limits and lifetime', () => {
  it('refuses data over maxBytes (UTF-8) and writes nothing', async () => {
    const { sess } = guestSetup();
    await expect(sess.guest.write(null, { big: 'x'.repeat(300) })).rejects.toMatchObject({
      code: 'ERR_SESS_GUEST_TOO_LARGE',
      limit: 256,
    });
    const credential = credentialOf((await sess.guest.write(null, { a: 1 })).cookies);
    // 100 three-byte characters: 100 UTF-16 units, over 300 bytes
    await expect(sess.guest.write(credential, { s: '€'.repeat(100) })).rejects.toMatchObject({
      code: 'ERR_SESS_GUEST_TOO_LARGE',
    });
    expect((await sess.guest.read(credential))?.data).toEqual({ a: 1 });
    await expect(sess.guest.write(null, [] as never)).rejects.toMatchObject({
      code: 'ERR_SESS_CONFIG',
    });
  });

  it('ends at its lifetime, slides its idle deadline, and a dead credential writes a new guest', async () => {
    const { sess, clock } = guestSetup('database', {
      guest: { lifetime: '7d', idleTimeout: '1d' },
    });
    const first = await sess.guest.write(null, { a: 1 });
    const credential = credentialOf(first.cookies);
    for (let day = 0; day < 6; day++) {
      clock.advance(DAY - 1000);
      expect(await sess.guest.read(credential)).not.toBeNull(); // reads slide the idle deadline
    }
    clock.advance(DAY);
    expect(await sess.guest.read(credential)).toBeNull(); // past the 7 days
    const again = await sess.guest.write(credential, { a: 2 });
    expect(again.created).toBe(true);
    expect(again.guest.id).not.toBe(first.guest.id);
  });

  it('is not counted by maxSessionsPerUser nor listed, and revokeEverything ends it', async () => {
    const { sess } = guestSetup('database', {
      maxSessionsPerUser: { limit: 1, policy: 'reject' },
    });
    const user = await sess.create('u1');
    const credential = credentialOf((await sess.guest.write(null, { a: 1 })).cookies);
    expect((await sess.list('u1')).map((s) => s.id)).toEqual([user.session.id]);
    await sess.revokeEverything();
    expect(await sess.guest.read(credential)).toBeNull();
  });

  it('concurrent function writes are compare-and-set: none is lost (50 writers)', async () => {
    const { sess } = guestSetup('database', { guest: { maxBytes: 4096 } });
    const credential = credentialOf((await sess.guest.write(null, { n: 0 })).cookies);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        sess.guest
          .write(credential, (d) => ({ n: (d.n as number) + 1 }))
          .catch((e: { code: string }) => e.code),
      ),
    );
    const n = (await sess.guest.read(credential))?.data.n as number;
    // Every write either landed or gave up with a ConflictError after its retries: never lost silently.
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(50);
  });

  it('end() deletes it; clearCookies clears the guest cookie too', async () => {
    const { sess } = guestSetup();
    const credential = credentialOf((await sess.guest.write(null, { a: 1 })).cookies);
    expect(await sess.guest.end(credential)).toBe(true);
    expect(await sess.guest.end(credential)).toBe(false);
    expect(sess.clearCookies().find((c) => c.name === '__Host-guest')).toMatchObject({
      value: '',
      options: { maxAge: 0 },
    });
  });
});
