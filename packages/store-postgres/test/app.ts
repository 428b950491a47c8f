import type { SessionManagerOptions } from '@sess/core';

// One app's configuration, shared by every instance in the cross-instance tests (and the child).
export const app: Pick<SessionManagerOptions, 'secret' | 'strategy' | 'jwt'> = {
  strategy: 'jwt',
  secret: 'cross-instance-test-secret-8e2b6d0f4a1c9e7b3d5f',
  jwt: {
    keys: [{ kid: 'k1', alg: 'HS256', secret: 'cross-instance-hs256-key-1f7c3e9a5b2d8f4e6a0c' }],
    issuer: 'https://auth.example.com',
    audience: 'https://api.example.com',
  },
};

/** What the parent and the child process say to each other. */
export type ToChild = { type: 'watch'; token: string } | { type: 'exit' };
export type FromChild =
  | { type: 'listening' }
  | { type: 'watching' }
  | { type: 'rejected'; code: string }
  | { type: 'failed'; message: string };
