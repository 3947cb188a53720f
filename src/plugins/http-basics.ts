import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { corsOrigins, type Config } from '../config.js';

/** JSON bodies only, security headers, the CORS allow-list from config, and the request id echoed back. */
async function httpBasics(app: FastifyInstance, options: { config: Config }): Promise<void> {
  // Fastify parses text/plain by default; this API speaks JSON only, so other bodies answer 415.
  app.removeContentTypeParser('text/plain');
  // Many HTTP clients send `Content-Type: application/json` on every request, even a bodiless
  // DELETE or archive; an empty body is no body, and routes that need one still answer 422.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.config.BODY_LIMIT_BYTES }, (request, body, done) => {
    const text = body.toString();
    if (text === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
  await app.register(helmet, { global: true });
  const origins = corsOrigins(options.config);
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    exposedHeaders: ['x-request-id', 'location', 'retry-after', 'idempotent-replayed', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'accept'],
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}

export default fp(httpBasics, { name: 'http-basics' });
