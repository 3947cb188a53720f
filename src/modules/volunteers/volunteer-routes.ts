import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { problemResponse } from '../../lib/problem-schema.js';
import { IdParams } from '../../lib/schema-types.js';
import { createVolunteerService } from './volunteer-service.js';
import { PatchVolunteerBody, RegisterVolunteerBody, Volunteer, VolunteerPage, VolunteerQuery } from './volunteer-schemas.js';

const tags = ['volunteers'];

export const volunteerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createVolunteerService(app.db, app.config.PII_HASH_KEY);

  app.post('/v1/volunteers', {
    config: { permission: 'volunteers:write' },
    schema: {
      operationId: 'registerVolunteer', tags, summary: 'Register a volunteer',
      description: 'Assigns a `volunteerCode`. The same phone (or ID number) twice in one community is a 409. '
        + 'A coordinator\'s registration also enrols the volunteer in its organization.',
      body: RegisterVolunteerBody, response: { 201: Volunteer, 409: problemResponse(409) },
    },
  }, async (request, reply) => {
    const volunteer = await service.register(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/volunteers/${volunteer.id}`).send(volunteer);
  });

  app.get('/v1/volunteers', {
    config: { permission: 'volunteers:read' },
    schema: { operationId: 'listVolunteers', tags, summary: 'List volunteers', querystring: VolunteerQuery, response: { 200: VolunteerPage } },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/volunteers/:id', {
    config: { permission: 'volunteers:read' },
    schema: { operationId: 'getVolunteer', tags, summary: 'Get a volunteer', params: IdParams, response: { 200: Volunteer } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.patch('/v1/volunteers/:id', {
    config: { permission: 'volunteers:write' },
    schema: {
      operationId: 'updateVolunteer', tags, summary: 'Update a volunteer',
      params: IdParams, body: PatchVolunteerBody, response: { 200: Volunteer, 409: problemResponse(409) },
    },
  }, async (request) => service.patch(contextOf(request), request.params.id, request.body));

  app.post('/v1/volunteers/:id/erase', {
    config: { permission: 'volunteers:erase' },
    schema: {
      operationId: 'eraseVolunteer', tags, summary: 'Erase a volunteer\'s personal data',
      description: 'Replaces name, phone and ID data with placeholders and withdraws the volunteer; every hour and total stays. Cannot be undone; erasing twice is harmless.',
      params: IdParams, response: { 200: Volunteer },
    },
  }, async (request) => service.erase(contextOf(request), request.params.id));
};
