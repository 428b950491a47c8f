import { createHash, createHmac } from 'node:crypto';
import { available } from '@sess/behaviour-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The behaviour suite's browser-like client (cookie jar, Origin, CSRF header), shared, not copied.
import { Client } from '../../packages/behaviour-suite/src/client.ts';
import { type CryptoProbe, PROBE_CSRF_KEY, USER } from '../src/app-kit.ts';
import { APPS, bundleApp, RUNTIMES, type Server, STRATEGIES } from '../src/job.ts';

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const mac = (text: string) => b64url(createHmac('sha256', PROBE_CSRF_KEY).update(text).digest());
const NONCE = 'runtimes-job-nonce-0000'.slice(0, 22);

for (const runtime of RUNTIMES) {
  // Fails when SESS_REQUIRE_SERVICES=1 (CI) and the runtime cannot start; else skips, loudly.
  const ok = await available(runtime.name, () => runtime.probe());
  describe.skipIf(!ok).each(Object.keys(APPS))(`${runtime.name}: %s`, (app) => {
    describe.each(STRATEGIES)('%s strategy', (strategy) => {
      let server: Server;
      const client = () => new Client(server.url, []);
      beforeAll(async () => {
        server = await runtime.serve(await bundleApp(APPS[app]!, strategy));
      });
      afterAll(() => server?.stop());

      it('csrf → login → me → refresh → logout, over HTTP', async () => {
        const c = client();
        expect((await c.get('/auth/csrf')).status).toBe(200);
        expect(c.csrfToken).toEqual(expect.any(String));
        const login = await c.post('/auth/login', { json: USER });
        expect(login.status).toBe(200);
        expect((await c.get('/me')).body).toEqual({ userId: 'alice' });
        const refresh = await c.post('/auth/refresh', { json: {} });
        expect(refresh.status).toBe(200);
        expect((await c.get('/me')).body).toEqual({ userId: 'alice' });
        expect((await c.post('/auth/logout', { json: {} })).status).toBeLessThan(300);
        expect((await c.get('/me')).status).toBe(401);
      });

      it('refuses a state-changing request without the CSRF token (403)', async () => {
        const c = client();
        await c.get('/auth/csrf');
        expect((await c.post('/auth/login', { json: USER, csrf: false })).status).toBe(403);
        expect((await c.get('/me')).status).toBe(401);
      });

      it(`computes on ${runtime.cryptoPath}, byte for byte what node:crypto computes`, async () => {
        const nodeToken = `${NONCE}.${mac(`csrf|v1|probe|${NONCE}`)}`;
        const reply = await client().get(`/debug/crypto?token=${encodeURIComponent(nodeToken)}`);
        const probe = reply.body as unknown as CryptoProbe;
        expect(probe.path).toBe(runtime.cryptoPath);
        // HMAC-SHA256: the runtime's token verifies here, and ours there.
        const [nonce, tag] = probe.csrfToken.split('.');
        expect(tag).toBe(mac(`csrf|v1|probe|${nonce}`));
        expect(probe.nodeTokenVerified).toBe(true);
        // SHA-256: the hash the runtime stored for a credential's secret.
        const secret = probe.credential.slice(probe.credential.indexOf('.') + 1);
        expect(probe.secretHash).toBe(b64url(createHash('sha256').update(secret).digest()));
      });

      // Bun warned DEP0204 when core adopted a non-extractable CryptoKey with KeyObject.from.
      if (runtime.ownsProcess) {
        it('prints no warning while serving', () => {
          expect(server.output!()).not.toMatch(/warning|DEP\d{4}|deprecat/i);
        });
      }
    });
  });
}
