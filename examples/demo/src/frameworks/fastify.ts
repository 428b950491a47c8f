import { createServer, type RequestListener } from 'node:http';
import { createAuth } from '@sess/fastify';
import fastify, { type FastifyError, type FastifyReply } from 'fastify';
import { ASSETS, type Reply } from '../app.ts';
import type { AppFactory } from './deps.ts';

const send = (reply: FastifyReply, answer: Reply) => reply.code(answer.status).send(answer.body);

/** The demo on Fastify 5 (the demo's own Node server calls Fastify's request handler). */
export const fastifyApp: AppFactory = ({ sess, routes, loginLimiter, headers }) => {
  let handle: RequestListener | undefined;
  // The body limit of the demo's own routes, as sess's own (16 KiB).
  const app = fastify({
    bodyLimit: 16 * 1024,
    // Session ids in paths are checked by sess (404), whatever their length (Fastify: 414 past 100).
    routerOptions: { maxParamLength: 4096 },
    // Fastify's own answer to a malformed URL quotes it; the demo answers with its error body.
    frameworkErrors: (_error, _request, reply) => send(reply, routes.clientError(400)),
    serverFactory: (handler) => {
      handle = handler;
      return createServer(handler);
    },
  });
  const auth = createAuth(sess);
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => reply.type(asset.type).send(asset.body));
  }
  app.register(auth.plugin);
  app.register(
    auth.routes({ login: (_request, body) => routes.verify(body), limit: { login: loginLimiter } }),
  );
  app.get('/me', { preHandler: auth.requireSession }, async (request, reply) =>
    send(reply, routes.me(request.sess!)),
  );
  app.post('/account/profile', { preHandler: auth.requireSession }, async (request, reply) =>
    send(reply, routes.profile(request.sess!, request.body)),
  );
  app.setNotFoundHandler(async (_request, reply) => send(reply, routes.notFound));
  // Fastify's own parser errors (malformed JSON, too large, unknown type) are 4xx; the rest is ours.
  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) console.error('demo: unhandled error', error);
    const answer = status === 413 ? routes.clientError(413) : routes.clientError(400);
    return send(reply, status >= 500 ? routes.internal : answer);
  });
  const ready = app.ready();
  return (req, res) => {
    ready.then(
      () => handle?.(req, res),
      (error: unknown) => {
        console.error('demo: Fastify failed to start', error);
        res.writeHead(500).end();
      },
    );
  };
};
