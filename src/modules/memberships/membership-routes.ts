import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contextOf } from '../../lib/context.js';
import { IdParams } from '../../lib/schema-types.js';
import { createMembershipService } from './membership-service.js';
import { JoinBody, MemberParams, MemberQuery, Membership, MembershipPage } from './membership-schemas.js';

const tags = ['memberships'];

export const membershipRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createMembershipService(app.db);

  app.post('/v1/organizations/:id/members', {
    config: { permission: 'members:write' },
    schema: {
      operationId: 'addMember', tags, summary: 'Enrol a volunteer in an organization',
      description: 'The volunteer and the organization must be of one community. Enrolling again answers 200 with the existing membership.',
      params: IdParams, body: JoinBody, response: { 201: Membership, 200: Membership },
    },
  }, async (request, reply) => {
    const { membership, created } = await service.join(contextOf(request), request.params.id, request.body.volunteerId);
    return reply.code(created ? 201 : 200).send(membership);
  });

  app.get('/v1/organizations/:id/members', {
    config: { permission: 'members:read' },
    schema: { operationId: 'listMembers', tags, summary: 'List an organization\'s current members', params: IdParams, querystring: MemberQuery, response: { 200: MembershipPage } },
  }, async (request) => service.list(contextOf(request), request.params.id, request.query));

  app.delete('/v1/organizations/:id/members/:volunteerId', {
    config: { permission: 'members:write' },
    schema: {
      operationId: 'removeMember', tags, summary: 'End a membership',
      description: 'The membership is kept with its end date; hours served stay.',
      params: MemberParams, response: { 204: Type.Null({ description: 'Membership ended' }) },
    },
  }, async (request, reply) => {
    await service.leave(contextOf(request), request.params.id, request.params.volunteerId);
    return reply.code(204).send(null);
  });
};
