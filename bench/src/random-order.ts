/**
 * A reproducible pseudo-random sequence of `length` indexes below `users` (mulberry32): the order
 * of the `random` mix, drawn once so that picking the next credential costs an array read.
 */
export function randomOrder(users: number, length: number, seed: number): Uint32Array {
  const order = new Uint32Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    order[i] = Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * users);
  }
  return order;
}
