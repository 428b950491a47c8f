import {
  createCsrfTokens,
  createSessionManager,
  type SessionManager,
  type Strategy,
} from '@sess/core';
import { cryptoPath } from '@sess/core/http';
import { memoryStore } from '@sess/core/memory';

/** The origin the test client sends; the apps trust it. */
export const ORIGIN = 'https://app.example';
/** The one user the apps know. */
export const USER = { email: 'alice@example.test', password: 'correct horse battery staple' };
/** Fixed key material, shared with the node test, which recomputes every MAC with node:crypto. */
export const PROBE_CSRF_KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
export const HS_KEY = 'runtimes-hs256-key-5b9e2d7a1c4f8e3b6a0d';
const SECRET = 'runtimes-secret-8f3a6c1e9d2b7f4a5c0e';

/** A session manager over a fresh memory store, configured alike on every runtime. */
export function runtimeManager(strategy: Strategy): {
  sess: SessionManager;
  store: ReturnType<typeof memoryStore>;
} {
  const store = memoryStore();
  const sess = createSessionManager({
    store,
    strategy,
    secret: SECRET,
    csrf: { trustedOrigins: [ORIGIN] },
    ...(strategy === 'database'
      ? {}
      : {
          jwt: {
            keys: [{ kid: 'k1', alg: 'HS256' as const, secret: HS_KEY }],
            issuer: 'https://auth.example',
            audience: 'https://api.example',
          },
        }),
  });
  return { sess, store };
}

/** The login verifier every app uses. */
export function verifyLogin(body: Record<string, unknown>): { userId: string } | null {
  return body.email === USER.email && body.password === USER.password ? { userId: 'alice' } : null;
}

/** What `GET /debug/crypto` answers: the path core took, and outputs the node test recomputes. */
export interface CryptoProbe {
  /** `cryptoPath()` here, from the built `@sess/core/http`. */
  readonly path: 'node:crypto' | 'web-crypto';
  /** A CSRF token for binding id `probe` under {@link PROBE_CSRF_KEY}: `nonce.HMAC`. */
  readonly csrfToken: string;
  /** Whether a token the node test made with node:crypto verified here. */
  readonly nodeTokenVerified: boolean;
  /** A fresh credential `<id>.<secret>` and the SHA-256 of its secret the store holds. */
  readonly credential: string;
  readonly secretHash: string;
}

/** Answers `GET /debug/crypto?token=<a CSRF token made by the node test>`. */
export async function cryptoProbe(
  { sess, store }: ReturnType<typeof runtimeManager>,
  nodeToken: string,
): Promise<CryptoProbe> {
  const tokens = createCsrfTokens(PROBE_CSRF_KEY);
  const { credential, session } = await sess.create('probe');
  const record = await store.get(session.id);
  return {
    path: cryptoPath(),
    csrfToken: await tokens.issue('probe'),
    nodeTokenVerified: await tokens.verify(nodeToken, 'probe'),
    credential,
    secretHash: record?.secretHash ?? '',
  };
}
