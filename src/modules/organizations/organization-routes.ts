import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { IdParams } from '../../lib/schema-types.js';
import { problemResponse } from '../../lib/problem-schema.js';
import { createOrganizationService } from './organization-service.js';
import {
  CreateOrganizationBody, Organization, OrganizationPage, OrganizationQuery, PatchOrganizationBody,
} from './organization-schemas.js';

const tags = ['organizations'];

export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createOrganizationService(app.db);

  app.post('/v1/organizations', {
    config: { permission: 'organizations:write' },
    schema: {
      operationId: 'createOrganization', tags, summary: 'Register an organization',
      description: 'A volunteer team or a resident unit (enterprise, school, shop, …) of one community.',
      body: CreateOrganizationBody, response: { 201: Organization, 409: problemResponse(409) },
    },
  }, async (request, reply) => {
    const organization = await service.create(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/organizations/${organization.id}`).send(organization);
  });

  app.get('/v1/organizations', {
    config: { permission: 'organizations:read' },
    schema: { operationId: 'listOrganizations', tags, summary: 'List organizations', querystring: OrganizationQuery, response: { 200: OrganizationPage } },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/organizations/:id', {
    config: { permission: 'organizations:read' },
    schema: { operationId: 'getOrganization', tags, summary: 'Get an organization', params: IdParams, response: { 200: Organization } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.patch('/v1/organizations/:id', {
    config: { permission: 'organizations:write' },
    schema: {
      operationId: 'updateOrganization', tags, summary: 'Update an organization',
      params: IdParams, body: PatchOrganizationBody, response: { 200: Organization, 409: problemResponse(409) },
    },
  }, async (request) => service.patch(contextOf(request), request.params.id, request.body));

  app.post('/v1/organizations/:id/archive', {
    config: { permission: 'organizations:write' },
    schema: {
      operationId: 'archiveOrganization', tags, summary: 'Archive an organization',
      description: 'Organizations are never deleted; an archived one records no new entries but keeps its history. Archiving twice is harmless.',
      params: IdParams, response: { 200: Organization },
    },
  }, async (request) => service.archive(contextOf(request), request.params.id));
};
