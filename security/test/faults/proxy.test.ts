import { createConnection, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startProxy } from '../../src/faults/proxy.ts';

// The proxy must never reorder bytes (a reordered RESP or pg stream would misattribute replies and
// blame the store for the proxy's bug), and a black hole must end in a reset, not a gap.
describe('the fault proxy', () => {
  let echo: ReturnType<typeof createServer>;
  let proxy: FaultProxy;
  beforeAll(async () => {
    echo = createServer((socket) => {
      socket.on('error', () => {}); // the proxy resets it in the black-hole case
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startProxy({
      host: '127.0.0.1',
      port: (echo.address() as { port: number }).port,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  const connect = async (): Promise<{ socket: Socket; received: () => string }> => {
    const socket = createConnection({ host: '127.0.0.1', port: proxy.port });
    socket.setNoDelay(true);
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    return { socket, received: () => data };
  };

  it('keeps bytes in order while the delay changes under them', async () => {
    const { socket, received } = await connect();
    let sent = '';
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 0) {
        proxy.setMode(i % 21 === 0 ? { kind: 'pass' } : { kind: 'delay', ms: 1 + ((i * 13) % 40) });
      }
      const piece = `<${i}>`;
      sent += piece;
      socket.write(piece);
      await new Promise((resolve) => setTimeout(resolve, i % 3));
    }
    proxy.setMode({ kind: 'pass' });
    await expect.poll(received, { timeout: 5_000 }).toHaveLength(sent.length);
    expect(received()).toBe(sent);
    socket.destroy();
  });

  it('delays by the configured time', async () => {
    const { socket, received } = await connect();
    proxy.setMode({ kind: 'delay', ms: 200 });
    const started = performance.now();
    socket.write('ping');
    await expect.poll(received, { timeout: 2_000, interval: 5 }).toBe('ping');
    // 200 ms each way.
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    proxy.setMode({ kind: 'pass' });
    socket.destroy();
  });

  it('black-holes, then resets the connections that lost bytes', async () => {
    const { socket, received } = await connect();
    const closed = new Promise((resolve) => socket.once('close', resolve));
    proxy.setMode({ kind: 'blackhole' });
    socket.write('lost');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received()).toBe('');
    proxy.setMode({ kind: 'pass' });
    await closed;
    const fresh = await connect();
    fresh.socket.write('back');
    await expect.poll(fresh.received, { timeout: 2_000 }).toBe('back');
    fresh.socket.destroy();
  });
});
