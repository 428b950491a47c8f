// main.ts, run with `deno run --allow-net --allow-env main.ts`
import { app } from './app.ts';

// Deno's global by its shape (Deno declares it itself).
declare const Deno: {
  serve(
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Promise<Response>,
  ): unknown;
};

Deno.serve((request, info) => app(request, info.remoteAddr.hostname));
