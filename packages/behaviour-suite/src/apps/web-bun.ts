/**
 * The suite's `@sess/web` app under `Bun.serve`: `bun src/apps/web-bun.ts <strategy>` prints the
 * URL it listens on, then serves until killed. test/bun.test.ts drives it beside the same app on
 * Node and compares their transcripts. Packages resolve through their built `dist`.
 */
import type { Strategy } from '@sess/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { fixture } from '../fixture.ts';
import { webApp } from './web.ts';

// Bun's own types are not a dependency: the little of `Bun.serve` used here, said structurally.
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: BunServer): Promise<Response>;
  }): { readonly port: number };
};
interface BunServer {
  requestIP(request: Request): { address: string } | null;
}

const strategy = (process.argv[2] ?? 'database') as Strategy;
const app = webApp(fixture(strategy).sess, {
  loginLimiter: new RateLimiterMemory({ points: 1000, duration: 60 }),
});
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (request, bun) => app(request, { ip: bun.requestIP(request)?.address ?? null }),
});
console.log(`http://127.0.0.1:${server.port}`);
