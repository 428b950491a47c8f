import { describe, expect, it } from 'vitest';
import { createSessionManager } from '../../src/index.ts';
import { memoryStore } from '../../src/memory.ts';
import { frozenClock, jwtOptions, SECRET, setup } from '../helpers.ts';

// The access-token cache skips parsing and the signature, never revocation: each case validates
// a token first (so it is cached), then revokes, and expects the cached token to be refused.
describe('jwt strategy: cached access tokens', () => {
  const jwt = () => setup({ strategy: 'jwt', jwt: jwtOptions });

  it('refuses a cached token once its session is revoked', async () => {
    const { sess } = jwt();
    const { accessToken, session } = await sess.create('alice');
    await sess.validate(accessToken);
    await sess.revoke(session.id);
    await expect(sess.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('refuses a cached token once it is deny-listed by itself', async () => {
    const { sess } = jwt();
    const { accessToken } = await sess.create('alice');
    await sess.validate(accessToken);
    await sess.revokeAccessToken(accessToken!);
    await expect(sess.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('refuses cached tokens behind a user or global watermark', async () => {
    const { sess, clock } = jwt();
    const a = await sess.create('alice');
    const b = await sess.create('bob');
    await sess.validate(a.accessToken);
    await sess.validate(b.accessToken);
    clock.advance(1000);
    await sess.revokeAllForUser('alice');
    await expect(sess.validate(a.accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
    await sess.validate(b.accessToken);
    await sess.revokeEverything();
    await expect(sess.validate(b.accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('refuses a cached token whose claims expired', async () => {
    const { sess, clock } = jwt();
    const { accessToken } = await sess.create('alice');
    await sess.validate(accessToken);
    clock.advance(15 * 60_000 + 30_000); // lifetime + default skew
    await expect(sess.validate(accessToken)).rejects.toMatchObject({
      code: 'ERR_SESS_EXPIRED',
      limit: 'token',
    });
  });

  it('checks revocation on every hit, also on an instance that learns of it from the store', async () => {
    const clock = frozenClock();
    const store = memoryStore({ clock });
    const options = { store, secret: SECRET, clock, strategy: 'jwt' as const, jwt: jwtOptions };
    const a = createSessionManager(options);
    const b = createSessionManager(options);
    const { accessToken, session } = await a.create('alice');
    await b.validate(accessToken);
    await a.revoke(session.id);
    await expect(b.validate(accessToken)).rejects.toMatchObject({ code: 'ERR_SESS_REVOKED' });
  });

  it('validates tokens with tokenCacheSize 0, and refuses an invalid size', async () => {
    const { sess } = setup({ strategy: 'jwt', jwt: { ...jwtOptions, tokenCacheSize: 0 } });
    const { accessToken } = await sess.create('alice');
    await expect(sess.validate(accessToken)).resolves.toMatchObject({ userId: 'alice' });
    await expect(sess.validate(accessToken)).resolves.toMatchObject({ userId: 'alice' });
    for (const tokenCacheSize of [-1, 1.5, 2_000_000]) {
      expect(() => setup({ strategy: 'jwt', jwt: { ...jwtOptions, tokenCacheSize } })).toThrow(
        expect.objectContaining({
          issues: ['jwt.tokenCacheSize: must be an integer from 0 to 1000000'],
        }),
      );
    }
  });
});
