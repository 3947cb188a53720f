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

/** Every operation documents the problems the platform can answer with, so clients see them all. */
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
  schema.response = response;
  schema.security ??= isPublic ? [] : [{ bearerAuth: [] }];
}

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
