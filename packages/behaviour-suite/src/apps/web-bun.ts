/**
 * The suite's `@sess/web` app under `Bun.serve`, for the behaviour cases run from Node:
 * `bun src/apps/web-bun.ts [strategy]` prints the URL it listens on, then serves until killed.
 * With a token in `SESS_BEHAVIOUR_SUITE_TOKEN` it also answers the control endpoint
 * (src/control.ts): `reset` rebuilds the fixture and app for the next case, the other calls reach
 * the fixture as a local case reaches it. src/bun-host.ts starts it.
 */
import type { Strategy } from '@sess/core';
import {
  CONTROL_METHODS,
  CONTROL_PATH,
  CONTROL_TOKEN_ENV,
  CONTROL_TOKEN_HEADER,
  type ControlCall,
  type ControlReply,
} from '../control.ts';
import { type FixtureControl, prepare, type TargetSetup } from '../fixture.ts';
import { type FetchApp, webApp } from './web.ts';

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

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const token = process.env[CONTROL_TOKEN_ENV] ?? '';

function build(setup: TargetSetup): { app: FetchApp; control: FixtureControl } {
  const { fx, options } = prepare(setup);
  return { app: webApp(fx.sess, options), control: fx.control };
}

let current = build({ strategy: (process.argv[2] ?? 'database') as Strategy });

async function control(request: Request, ip: string | null): Promise<Response> {
  const allowed =
    token !== '' &&
    request.method === 'POST' &&
    ip !== null &&
    LOOPBACK.has(ip) &&
    request.headers.get(CONTROL_TOKEN_HEADER) === token;
  if (!allowed) return new Response(null, { status: 403 });
  const { method, args } = (await request.json()) as ControlCall;
  if (method === 'reset') {
    current = build(args[0] as TargetSetup);
    return Response.json({ result: null } satisfies ControlReply);
  }
  if (!Object.hasOwn(CONTROL_METHODS, method)) {
    return Response.json({ error: `no control method ${method}` } satisfies ControlReply, {
      status: 400,
    });
  }
  try {
    const call = current.control[method] as (...args: unknown[]) => Promise<unknown>;
    return Response.json({ result: (await call(...args)) ?? null } satisfies ControlReply);
  } catch (error) {
    return Response.json({ error: String(error) } satisfies ControlReply, { status: 500 });
  }
}

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(request, bun) {
    const ip = bun.requestIP(request)?.address ?? null;
    if (new URL(request.url).pathname === CONTROL_PATH) return control(request, ip);
    return current.app(request, { ip });
  },
});
console.log(`http://127.0.0.1:${server.port}`);
