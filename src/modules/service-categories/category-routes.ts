import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { problemResponse } from '../../lib/problem-schema.js';
import { IdParams } from '../../lib/schema-types.js';
import { createCategoryService } from './category-service.js';
import { CategoryPage, CategoryQuery, CreateCategoryBody, PatchCategoryBody, ServiceCategory } from './category-schemas.js';

const tags = ['service-categories'];

export const categoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createCategoryService(app.db);

  app.post('/v1/service-categories', {
    config: { permission: 'categories:write' },
    schema: {
      operationId: 'createServiceCategory', tags, summary: 'Add a community\'s own service category',
      body: CreateCategoryBody, response: { 201: ServiceCategory, 409: problemResponse(409) },
    },
  }, async (request, reply) => {
    const category = await service.create(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/service-categories/${category.id}`).send(category);
  });

  app.get('/v1/service-categories', {
    config: { permission: 'categories:read' },
    schema: { operationId: 'listServiceCategories', tags, summary: 'List service categories', querystring: CategoryQuery, response: { 200: CategoryPage } },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/service-categories/:id', {
    config: { permission: 'categories:read' },
    schema: { operationId: 'getServiceCategory', tags, summary: 'Get a service category', params: IdParams, response: { 200: ServiceCategory } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.patch('/v1/service-categories/:id', {
    config: { permission: 'categories:write' },
    schema: {
      operationId: 'updateServiceCategory', tags, summary: 'Rename a service category',
      description: 'The code is fixed once created, since reports and frontends key on it.',
      params: IdParams, body: PatchCategoryBody, response: { 200: ServiceCategory },
    },
  }, async (request) => service.patch(contextOf(request), request.params.id, request.body));
};
