/**
 * One frozen clock for the server (the session manager and its store) and every `@sess/client` of
 * a cell: time moves only when a test says so, and the client's timers fire as it passes.
 */
export class TestClock {
  #time: number;
  #ids = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  readonly #busy = new Set<() => number>();

  constructor(start = Date.parse('2030-01-01T00:00:00Z')) {
    this.#time = start;
  }

  readonly now = (): number => this.#time;

  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    this.#timers.set(++this.#ids, { at: this.#time + Math.max(0, ms), fn });
    return this.#ids;
  };

  readonly clearTimeout = (id: unknown): void => {
    this.#timers.delete(id as number);
  };

  /** Counts work in flight (a wire's open requests): `settle` waits until every counter is 0. */
  track(pending: () => number): void {
    this.#busy.add(pending);
  }

  /**
   * Moves time forward in steps of at most `step` ms; at each step the timers that fell due run
   * (in order) and whatever they started (a background refresh) completes before time moves on.
   */
  async advance(ms: number, step = 30_000): Promise<void> {
    const end = this.#time + ms;
    while (this.#time < end) {
      this.#time = Math.min(end, this.#time + step);
      const due = [...this.#timers].filter(([, t]) => t.at <= this.#time);
      due.sort((a, b) => a[1].at - b[1].at);
      for (const [id, timer] of due) {
        this.#timers.delete(id);
        timer.fn();
      }
      await this.settle();
    }
  }

  /** Resolves once no tracked work has been in flight for a few turns of the event loop. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < 10_000 && quiet < 4; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const busy = [...this.#busy].some((pending) => pending() > 0);
      quiet = busy ? 0 : quiet + 1;
    }
  }
}
