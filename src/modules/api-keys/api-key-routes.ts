import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contextOf } from '../../lib/context.js';
import { IdParams } from '../../lib/schema-types.js';
import { createApiKeyService } from './api-key-service.js';
import { ApiKey, ApiKeyPage, ApiKeyQuery, CreateApiKeyBody, CreatedApiKey } from './api-key-schemas.js';

const tags = ['api-keys'];

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createApiKeyService(app.db, app.keyVerifier);

  app.post('/v1/api-keys', {
    config: { permission: 'api-keys:manage' },
    schema: {
      operationId: 'createApiKey', tags, summary: 'Create an API key',
      description: 'The secret is returned once, in this response, and stored only as a hash. Community admins create keys inside their community.',
      body: CreateApiKeyBody, response: { 201: CreatedApiKey },
    },
  }, async (request, reply) => {
    const key = await service.create(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/api-keys/${key.id}`).header('cache-control', 'no-store').send(key);
  });

  app.get('/v1/api-keys', {
    config: { permission: 'api-keys:manage' },
    schema: { operationId: 'listApiKeys', tags, summary: 'List API keys (never their secrets)', querystring: ApiKeyQuery, response: { 200: ApiKeyPage } },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/api-keys/:id', {
    config: { permission: 'api-keys:manage' },
    schema: { operationId: 'getApiKey', tags, summary: 'Get an API key', params: IdParams, response: { 200: ApiKey } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.delete('/v1/api-keys/:id', {
    config: { permission: 'api-keys:manage' },
    schema: {
      operationId: 'revokeApiKey', tags, summary: 'Revoke an API key',
      description: 'The key stops working at once on this instance and within seconds everywhere. Revoking twice is harmless.',
      params: IdParams, response: { 204: Type.Null({ description: 'Revoked' }) },
    },
  }, async (request, reply) => {
    await service.revoke(contextOf(request), request.params.id);
    return reply.code(204).send(null);
  });
};
