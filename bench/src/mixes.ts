import { DEFAULTS } from './fixtures.ts';

/** The traffic mixes every HTTP contender is driven with. */
export const MIXES = ['users', 'cold'] as const;
export type MixName = (typeof MIXES)[number];

/** sess's verified-token cache, as configured by default: the cache the mixes are sized against. */
export const CACHE_SIZE = DEFAULTS.jwt!.tokenCacheSize;

/** Who sends the requests of one run, and in which order. */
export interface Mix {
  readonly name: MixName;
  /** Distinct users, one credential each. */
  readonly users: number;
  /**
   * `random`: each request comes from one of the users picked at random, as independent clients
   * do (a credential comes back after about `users` requests on average, sooner or later).
   * `rotation`: the users in turn, so no credential comes back within `users` requests.
   */
  readonly order: 'random' | 'rotation';
  readonly label: string;
}

export const MIX: Readonly<Record<MixName, Mix>> = {
  users: { name: 'users', users: 10_000, order: 'random', label: '10,000 users' },
  // Twice the cache: every request misses it, whatever its eviction policy.
  cold: {
    name: 'cold',
    users: 2 * CACHE_SIZE,
    order: 'rotation',
    label: `cold (${(2 * CACHE_SIZE).toLocaleString('en')} in turn)`,
  },
};

/** The user id of the `i`-th user of a mix. */
export function userOf(mix: MixName, i: number): string {
  return `${mix === 'users' ? 'user' : 'cold'}-${i}`;
}

/** Runs `task` over `count` indexes with `width` of them in flight. */
export async function pooled(
  count: number,
  width: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}
