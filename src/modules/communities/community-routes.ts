import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { IdParams } from '../../lib/schema-types.js';
import { createCommunityService } from './community-service.js';
import { Community, CommunityPage, CommunityQuery, CreateCommunityBody, PatchCommunityBody } from './community-schemas.js';

const tags = ['communities'];

export const communityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createCommunityService(app.db);

  app.post('/v1/communities', {
    config: { permission: 'communities:create' },
    schema: {
      operationId: 'createCommunity', tags, summary: 'Create a community',
      description: 'Creates a community (the tenant boundary) together with the fourteen default service categories.',
      body: CreateCommunityBody, response: { 201: Community },
    },
  }, async (request, reply) => {
    const community = await service.create(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/communities/${community.id}`).send(community);
  });

  app.get('/v1/communities', {
    config: { permission: 'communities:read' },
    schema: { operationId: 'listCommunities', tags, summary: 'List communities', querystring: CommunityQuery, response: { 200: CommunityPage } },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/communities/:id', {
    config: { permission: 'communities:read' },
    schema: { operationId: 'getCommunity', tags, summary: 'Get a community', params: IdParams, response: { 200: Community } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.patch('/v1/communities/:id', {
    config: { permission: 'communities:update' },
    schema: { operationId: 'updateCommunity', tags, summary: 'Update a community', params: IdParams, body: PatchCommunityBody, response: { 200: Community } },
  }, async (request) => service.patch(contextOf(request), request.params.id, request.body));
};
