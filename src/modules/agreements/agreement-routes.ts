import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { problemResponse } from '../../lib/problem-schema.js';
import { IdParams } from '../../lib/schema-types.js';
import { createAgreementService } from './agreement-service.js';
import {
  Agreement, AgreementPage, AgreementQuery, CreateAgreementBody, PatchAgreementBody, TerminateAgreementBody,
} from './agreement-schemas.js';

const tags = ['agreements'];

export const agreementRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createAgreementService(app.db);

  app.post('/v1/agreements', {
    config: { permission: 'agreements:write' },
    schema: {
      operationId: 'createAgreement', tags, summary: 'Record a co-construction agreement',
      description: 'A co-construction agreement (共驻共建协议) between the community and one of its organizations, '
        + 'which must not be archived. `validUntil`, when given, is not before `signedOn`; without it the agreement has no end date.',
      body: CreateAgreementBody, response: { 201: Agreement },
    },
  }, async (request, reply) => {
    const agreement = await service.create(contextOf(request), request.body);
    return reply.code(201).header('location', `/v1/agreements/${agreement.id}`).send(agreement);
  });

  app.get('/v1/agreements', {
    config: { permission: 'agreements:read' },
    schema: {
      operationId: 'listAgreements', tags, summary: 'List agreements',
      description: 'Coordinators see only their own organization\'s agreements. `status` is judged on the community\'s today.',
      querystring: AgreementQuery, response: { 200: AgreementPage },
    },
  }, async (request) => service.list(contextOf(request), request.query));

  app.get('/v1/agreements/:id', {
    config: { permission: 'agreements:read' },
    schema: { operationId: 'getAgreement', tags, summary: 'Get an agreement', params: IdParams, response: { 200: Agreement } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.patch('/v1/agreements/:id', {
    config: { permission: 'agreements:write' },
    schema: {
      operationId: 'updateAgreement', tags, summary: 'Correct or extend an agreement',
      description: 'A terminated agreement never changes (409). Send `validUntil: null` to remove the end date.',
      params: IdParams, body: PatchAgreementBody, response: { 200: Agreement, 409: problemResponse(409) },
    },
  }, async (request) => service.patch(contextOf(request), request.params.id, request.body));

  app.post('/v1/agreements/:id/terminate', {
    config: { permission: 'agreements:write' },
    schema: {
      operationId: 'terminateAgreement', tags, summary: 'Terminate an agreement early',
      description: 'Ends the agreement now, with an optional reason. Terminating an already terminated agreement is 409, '
        + 'so the first termination\'s time and reason stand.',
      params: IdParams, body: TerminateAgreementBody, response: { 200: Agreement, 409: problemResponse(409) },
    },
    // The reason is optional, so an empty POST is as good as `{}`.
    preValidation: async (request) => { request.body ??= {}; },
  }, async (request) => service.terminate(contextOf(request), request.params.id, request.body));
};
