import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import { corsOrigins, type Config } from '../config.js';

/**
 * The headers helmet's defaults set (CSP, HSTS, nosniff, frame options, …). They are the same on
 * every response, so they are worked out once here: running helmet's middleware per request cost
 * ~5% of the service's CPU on the list and POST loads (CPU profiles).
 */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const collect = { setHeader: (name: string, value: string) => { headers[name.toLowerCase()] = value; }, removeHeader: () => undefined };
  helmet()({} as never, collect as never, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}

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
  const origins = corsOrigins(options.config);
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    exposedHeaders: ['x-request-id', 'location', 'retry-after', 'idempotent-replayed', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'accept'],
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  });
  // On send, so every answer carries them, also those other plugins give from their own early
  // hooks (the 503 while shutting down, a 429).
  const security = securityHeaders();
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(security);
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
}

export default fp(httpBasics, { name: 'http-basics' });
