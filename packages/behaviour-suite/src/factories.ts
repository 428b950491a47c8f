import { createAuth as expressAuth } from '@sess/express';
import { createAuth as fastifyAuth } from '@sess/fastify';
import { createAuth as honoAuth } from '@sess/hono';
import { createAuth as koaAuth } from '@sess/koa';
import { createAuth as webAuth } from '@sess/web';

/** Each middleware binding's `createAuth`, for the checks that need no server. */
export const FACTORIES = {
  express: expressAuth,
  koa: koaAuth,
  hono: honoAuth,
  fastify: fastifyAuth,
  web: webAuth,
} as const;
