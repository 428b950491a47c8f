/**
 * `database`: the credential authenticates requests (validate touches and renews it).
 * `jwt`: access tokens authenticate requests and the credential is the refresh token; tokens are
 * validated on the issuing instance and on a second one that asks the store every time.
 */
export type Strategy = 'database' | 'jwt';

/** Users per run. */
export const USERS = 3;
const MAX_COMMANDS = 30;
// Clock steps chosen to land on both sides of every threshold of the model's session rules.
const STEPS_MS = [1, 5_000, 10_001, 61_000, 9.5 * 60_000, 11 * 60_000, 16 * 60_000];
// Whole seconds for the jwt strategy: an access token's lifetime is capped by the absolute
// deadline, and a refresh less than a second before it would rotate and then refuse to sign.
const JWT_STEPS_MS = [1_000, 5_000, 11_000, 61_000, 9.5 * 60_000, 11 * 60_000, 16 * 60_000];

/**
 * One step of a run. Sessions are picked by `pick` modulo the sessions created so far, and `back`
 * counts credentials back from the current one (0 = current, 1 = the one it replaced, ...), so a
 * command list stays meaningful when shrinking removes some of its commands.
 */
export type Command =
  | { kind: 'create'; user: number }
  | {
      kind: 'validate';
      pick: number;
      back: number;
      mutate: boolean;
      /** jwt: validate the access token on the issuing instance, or on the other one. */
      instance: 'same' | 'other';
    }
  | { kind: 'refresh'; pick: number; back: number; mutate: boolean }
  | { kind: 'parallel-refresh'; pick: number; racers: number }
  | { kind: 'revoke'; pick: number }
  | {
      kind: 'write-race';
      pick: number;
      writer: 'validate' | 'refresh';
      other: 'revoke' | 'refresh' | 'logout-all';
    }
  | { kind: 'logout-all'; user: number; except: number | null }
  | { kind: 'update'; pick: number; stale: boolean }
  | { kind: 'advance'; ms: number };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The command list of `seed`: the same seed always gives the same list. */
export function generate(seed: number, strategy: Strategy): Command[] {
  const rand = mulberry32(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  // Mostly the current or the previous credential, sometimes one far back (retired or forgotten).
  const back = (): number => [0, 0, 0, 1, 1, 2, 3, 18][int(8)]!;
  const pick = (): number => int(1 << 30);
  const steps = strategy === 'database' ? STEPS_MS : JWT_STEPS_MS;
  const weighted: [number, () => Command][] = [
    [4, () => ({ kind: 'create', user: int(USERS) })],
    [
      6,
      () => ({
        kind: 'validate',
        pick: pick(),
        back: back(),
        mutate: int(8) === 0,
        instance: int(3) ? 'other' : 'same',
      }),
    ],
    [6, () => ({ kind: 'refresh', pick: pick(), back: back(), mutate: int(8) === 0 })],
    [2, () => ({ kind: 'parallel-refresh', pick: pick(), racers: 2 + int(2) })],
    [2, () => ({ kind: 'revoke', pick: pick() })],
    [
      3,
      () => ({
        kind: 'write-race',
        pick: pick(),
        // jwt validation never writes: only a refresh can be held before its write.
        writer: strategy === 'database' && int(2) ? 'validate' : 'refresh',
        other: (['revoke', 'refresh', 'logout-all'] as const)[int(3)]!,
      }),
    ],
    [1, () => ({ kind: 'logout-all', user: int(USERS), except: int(2) ? pick() : null })],
    [1, () => ({ kind: 'update', pick: pick(), stale: int(2) === 0 })],
    [5, () => ({ kind: 'advance', ms: steps[int(steps.length)]! })],
  ];
  const total = weighted.reduce((sum, [w]) => sum + w, 0);
  const length = 1 + int(MAX_COMMANDS);
  const commands: Command[] = [{ kind: 'create', user: int(USERS) }];
  while (commands.length < length) {
    let r = int(total);
    for (const [w, make] of weighted) {
      if (r < w) {
        commands.push(make());
        break;
      }
      r -= w;
    }
  }
  return commands;
}
