// server.ts, run with `bun server.ts`
import { app } from './app.ts';

// Bun's global by its shape (in your app, `bun-types` declares it).
declare const Bun: {
  serve(options: {
    port: number;
    fetch(
      request: Request,
      server: { requestIP(r: Request): { address: string } | null },
    ): Promise<Response>;
  }): unknown;
};

Bun.serve({
  port: 3000,
  fetch: (request, server) => app(request, server.requestIP(request)?.address ?? null),
});
