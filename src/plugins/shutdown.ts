import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';

/**
 * While the server drains on SIGTERM, requests that still arrive (on kept-alive connections) get
 * the same 503 problem as any outage, with Retry-After and the connection closed, instead of
 * Fastify's built-in JSON. In-flight requests are not affected and finish normally.
 */
async function shutdown(app: FastifyInstance): Promise<void> {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new AppError('service_unavailable', 'The server is shutting down; retry on another instance or shortly', { headers: { 'retry-after': '5' } });
  });
}

export default fp(shutdown, { name: 'shutdown' });
