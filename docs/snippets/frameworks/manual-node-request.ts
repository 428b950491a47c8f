import { nodeRequest } from '@sess/core/http';
import type { Request } from 'express';
import { sess } from './manual-server.ts';

// Express or Koa: core reads a request through `method` and `headers.get`, which nodeRequest builds
// from Node's parsed headers (`ctx.req.headers` in Koa).
export async function checkCsrf(req: Request, sessionId: string): Promise<void> {
  await sess.csrf!.protect(nodeRequest(req.method, req.headers, req.ip), { sessionId });
}
