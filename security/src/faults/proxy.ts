import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** What the proxy does with traffic. */
export type ProxyMode =
  | { readonly kind: 'pass' }
  /** Holds every chunk, both ways, for `ms` before forwarding it. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Accepts connections and drops every byte, both ways: the peer hears nothing, ever. */
  | { readonly kind: 'blackhole' };

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Bytes of this connection went into the black hole. */
  dropped: boolean;
}

/** A TCP proxy on a loopback port, between the demo and its store, for fault injection. */
export interface FaultProxy {
  /** `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Switches what happens to traffic from now on, on open connections too. */
  setMode(mode: ProxyMode): void;
  /** Resets every open connection (RST both ways); new ones are accepted as the mode says. */
  resetAll(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `target` (a loopback address only: fault tests never touch anything else).
 * Each accepted connection opens one upstream connection; chunks are forwarded, delayed or
 * dropped according to the mode at the time they arrive.
 */
export async function startProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  if (target.host !== '127.0.0.1' && target.host !== 'localhost') {
    throw new Error('startProxy: the target must be on loopback');
  }
  let mode: ProxyMode = { kind: 'pass' };
  let accepted = 0;
  const pairs = new Set<Pair>();

  // Chunks leave in order: one queue and one timer per direction, so a chunk never overtakes one
  // still held back by an earlier delay (timers of different durations may fire in any order).
  const forward = (from: Socket, to: Socket, pair: Pair) => {
    const queue: Array<{ at: number; chunk: Buffer }> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.at - Date.now());
    };
    from.on('data', (chunk: Buffer) => {
      const current = mode;
      if (current.kind === 'blackhole') {
        pair.dropped = true;
        return;
      }
      const at = Date.now() + (current.kind === 'delay' ? current.ms : 0);
      if (queue.length === 0 && current.kind === 'pass') {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      queue.push({ at: Math.max(at, queue.at(-1)?.at ?? 0), chunk });
      if (timer === undefined) timer = setTimeout(flush, queue[0]!.at - Date.now());
    });
    from.on('close', () => clearTimeout(timer));
  };

  const reset = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  };

  const server: Server = createServer((client) => {
    accepted++;
    const upstream = createConnection({ host: '127.0.0.1', port: target.port });
    const pair: Pair = { client, upstream, dropped: false };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    forward(client, upstream, pair);
    forward(upstream, client, pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };

  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    setMode(next) {
      mode = next;
      // TCP never loses bytes inside a live connection: one that lost some in the black hole is
      // dead (as after a partition outlasting its timeouts), so it is reset rather than resumed
      // with a gap in its stream.
      if (next.kind !== 'blackhole') {
        for (const pair of pairs) if (pair.dropped) reset(pair);
      }
    },
    resetAll() {
      for (const pair of pairs) reset(pair);
    },
    close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
