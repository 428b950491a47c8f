import type { KeyInput } from '@sess/core';

// Step 1: introduce the new key second. It is loaded and published in the JWKS, signs nothing.
export const introduce: KeyInput[] = [
  { kid: '2026-01', alg: 'EdDSA', privateKey: process.env.JWT_KEY_2026_01! },
  { kid: '2026-07', alg: 'EdDSA', privateKey: process.env.JWT_KEY_2026_07! },
];

// Step 2: the new key signs; the old one only verifies the tokens it signed until they expire.
export const switchOver: KeyInput[] = [
  { kid: '2026-07', alg: 'EdDSA', privateKey: process.env.JWT_KEY_2026_07! },
  { kid: '2026-01', alg: 'EdDSA', publicKey: process.env.JWT_PUB_2026_01! },
];

// Step 3, one access-token lifetime (plus clock skew) later: the old key is gone.
export const retire: KeyInput[] = [
  { kid: '2026-07', alg: 'EdDSA', privateKey: process.env.JWT_KEY_2026_07! },
];
