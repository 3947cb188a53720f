import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { problemResponse } from '../../lib/problem-schema.js';
import { IdParams } from '../../lib/schema-types.js';
import { createLoveCardService } from './love-card-service.js';
import { CreateLoveCardBody, LoveCard, LoveCardPage, LoveCardQuery } from './love-card-schemas.js';

const tags = ['love-cards'];

export const loveCardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createLoveCardService(app.db);

  app.post('/v1/love-cards', {
    config: { permission: 'love-cards:write' },
    schema: {
      operationId: 'claimLoveCard', tags, summary: 'Claim a love card',
      description: 'An organization claims a service category of its community (爱心卡). It holds at most one active claim per '
        + 'category (409). `claimedOn` defaults to the community\'s today.',
      body: CreateLoveCardBody, response: { 201: LoveCard, 409: problemResponse(409) },
    },
  }, async (request, reply) => {
    const card = await service.create(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/love-cards/${card.id}`).send(card);
  });

  app.get('/v1/love-cards', {
    config: { permission: 'love-cards:read' },
    schema: {
      operationId: 'listLoveCards', tags, summary: 'List love cards',
      description: 'Coordinators see only their own organization\'s cards.',
      querystring: LoveCardQuery, response: { 200: LoveCardPage },
    },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/love-cards/:id', {
    config: { permission: 'love-cards:read' },
    schema: { operationId: 'getLoveCard', tags, summary: 'Get a love card', params: IdParams, response: { 200: LoveCard } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.post('/v1/love-cards/:id/release', {
    config: { permission: 'love-cards:write' },
    schema: {
      operationId: 'releaseLoveCard', tags, summary: 'Release a love card',
      description: 'The organization gives the category up; the card is kept as history and the category may be claimed again. '
        + 'Releasing a released card is 409.',
      params: IdParams, response: { 200: LoveCard, 409: problemResponse(409) },
    },
  }, async (request) => service.release(contextOf(request), request.params.id));
};
