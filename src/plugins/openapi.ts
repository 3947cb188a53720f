import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { problemResponse } from '../lib/problem-schema.js';
import docsPage from './docs-page.js';

const TAGS = [
  { name: 'communities', description: 'Communities, the tenant boundary' },
  { name: 'organizations', description: 'Volunteer teams and resident units' },
  { name: 'service-categories', description: 'What kind of service an hour was' },
  { name: 'volunteers', description: 'Registered volunteers (personal data masked per role)' },
  { name: 'memberships', description: 'Which volunteers serve with which organization' },
  { name: 'agreements', description: 'Co-construction agreements with resident units' },
  { name: 'love-cards', description: 'Service categories claimed by resident units' },
  { name: 'service-entries', description: 'The ledger of hours served' },
  { name: 'reports', description: 'Exact totals, JSON or CSV' },
  { name: 'api-keys', description: 'Keys, roles and scopes' },
  { name: 'audit', description: 'Who changed what, when' },
  { name: 'health', description: 'Liveness and readiness' },
];

const budgetHeader = (description: string) => ({ type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000, description });

/**
 * The RateLimit-* headers (IETF draft) that plugins/rate-limits.ts sends on every answer of a
 * keyed route once the key is known; 401 and 403 are decided before that, and public routes are
 * not limited, so neither carries them.
 */
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': budgetHeader('Requests this key may make in the current window'),
  'RateLimit-Remaining': budgetHeader('Requests left in the current window'),
  'RateLimit-Reset': budgetHeader('Seconds until the window resets'),
};
const RETRY_AFTER = { 'Retry-After': budgetHeader('Seconds to wait before retrying') };
/** Set by @fastify/cors (plugins/http-basics.ts) on every answer to an allowed browser origin. */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': { type: 'string', format: 'uri', maxLength: 200, description: 'The caller\'s Origin, when it is one of CORS_ORIGINS' },
};

/** Adds headers to one response, copied so schemas shared between routes are never changed. */
function withHeaders(response: unknown, headers: Record<string, unknown>): unknown {
  if (!response || typeof response !== 'object') return response;
  const own = (response as { headers?: Record<string, unknown> }).headers;
  return { ...response, headers: { ...headers, ...CORS_HEADERS, ...own } };
}

/**
 * Every operation documents the problems the platform can answer with, so clients see them all,
 * and the rate-limit headers its answers carry.
 */
function documentProblems(route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema || schema.hide) return;
  const isPublic = route.config?.permission === 'public';
  const response = (schema.response ?? {}) as Record<string, unknown>;
  const statuses = [429, 500, 503];
  if (!isPublic) statuses.push(401, 403);
  if (schema.querystring || schema.params || schema.headers) statuses.push(400);
  if (schema.params) statuses.push(404);
  if (schema.body) statuses.push(400, 413, 415, 422);
  for (const status of statuses) response[status] ??= problemResponse(status);
  for (const [status, answer] of Object.entries(response)) {
    const limited = !isPublic && /^(2|4)\d\d$/.test(status) && status !== '401' && status !== '403';
    if (limited) response[status] = withHeaders(answer, status === '429' ? { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER } : RATE_LIMIT_HEADERS);
    else if (status === '429' || status === '503') response[status] = withHeaders(answer, RETRY_AFTER);
  }
  schema.response = response;
  schema.security ??= isPublic ? [] : [{ bearerAuth: [] }];
}

/** `x-internal` (an extension the types do not know) tells inventories this API is meant for outside callers. */
const PUBLIC_SERVER = { url: '/', description: 'This API where this document was served from: production, staging or local alike', 'x-internal': false } as { url: string; description: string };

async function openapiPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', documentProblems);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Volunteer Hours API',
        version: '1.0.0',
        description: 'The ledger of volunteer service in a city\'s communities, and the exact totals reported upward. '
          + 'Errors are RFC 9457 `application/problem+json`; lists paginate with `limit` and an opaque `cursor`.',
      },
      // Relative, so the document and the reference page work wherever the API is served; public, not internal-only.
      servers: [PUBLIC_SERVER],
      tags: TAGS,
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from POST /v1/api-keys' } } },
      security: [{ bearerAuth: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });

  await app.register(docsPage);

  app.get('/openapi.json', {
    config: { permission: 'public' },
    schema: { hide: true },
  }, async () => app.swagger());
}

export default fp(openapiPlugin, { name: 'openapi' });
