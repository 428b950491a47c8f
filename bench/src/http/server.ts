// The process of one HTTP contender: builds its app, listens on a loopback port, reports the port
// and the credentials to the parent over IPC, and closes everything on 'stop'.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Framework } from '../options.ts';
import type { Services } from '../services.ts';
import type { ContenderKind } from './contenders.ts';
import { buildExpress } from './express-app.ts';
import { buildHono } from './hono-app.ts';
import { buildKoa } from './koa-app.ts';
import type { Credentials } from './setup.ts';

/** What the parent passes (as JSON in argv[2]). */
export interface ServerSpec {
  readonly framework: Framework;
  readonly kind: ContenderKind;
  readonly services: Services;
}

/** The first message from the server process. */
export interface ServerReady {
  readonly port: number;
  readonly credentials: Credentials;
}

const BUILDERS = { express: buildExpress, koa: buildKoa, hono: buildHono } as const;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as ServerSpec;
  const built = await BUILDERS[spec.framework](
    spec.kind,
    spec.services,
    `${spec.framework}-${spec.kind}`,
  );
  const server = createServer(built.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const credentials = await built.credentials(`http://127.0.0.1:${port}`);
  process.send!({ port, credentials } satisfies ServerReady);
  process.on('disconnect', () => process.exit(1)); // the parent is gone: nobody will say 'stop'
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await built.close();
    process.exit(0); // flushes a --cpu-prof profile
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
