/** Where the default error report writes. */
export type LineWriter = (line: string) => void;

/**
 * The default `onError`: a reconnecting client fails once per attempt, so logging each error (with
 * its stack) floods the log during an outage. This writes one line when errors start, naming the
 * error's code only (a message may quote an address; a stack helps nobody here), counts the rest,
 * and writes one more line with the count when the connection is ready again.
 */
export function outageLog(write: LineWriter = (line) => console.error(line)) {
  let failures = 0;
  return {
    onError(error: unknown): void {
      failures++;
      if (failures === 1) {
        write(
          `[@sess/store-redis] ${codeOf(error)}: Redis is unreachable; requests fail closed (503) and further errors are counted until it answers`,
        );
      }
    },
    ready(): void {
      if (failures > 0) write(`[@sess/store-redis] Redis answers again after ${failures} errors`);
      failures = 0;
    },
  };
}

function codeOf(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code)) return code;
  return typeof name === 'string' && /^\w{1,64}$/.test(name) ? name : 'error';
}
