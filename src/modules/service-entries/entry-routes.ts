import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Counter } from 'prom-client';
import { contextOf } from '../../lib/context.js';
import { problemResponse } from '../../lib/problem-schema.js';
import { IdParams } from '../../lib/schema-types.js';
import { idempotent } from '../idempotency/idempotency.js';
import { createEntryService } from './entry-service.js';
import { toEntry } from './entry-view.js';
import {
  BatchBody, BatchResult, EntryPage, EntryQuery, IdempotencyHeaders, PatchEntryBody, ReasonBody, RecordEntryBody, ServiceEntry, type EntryView,
} from './entry-schemas.js';

const tags = ['service-entries'];
const writeProblems = { 409: problemResponse(409), 422: problemResponse(422) };

export const entryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const guesses = new Counter({
    name: 'entry_insert_guesses_total', registers: [app.metrics], labelNames: ['outcome'],
    help: 'Inserts of entries sent before their references were read (see recordEntries), by outcome: confirmed, stale (sent again), refused (rolled back)',
  });
  const service = createEntryService(app.db, { onGuess: (outcome) => guesses.inc({ outcome }) });

  app.post('/v1/service-entries', {
    config: { permission: 'entries:write' },
    schema: {
      operationId: 'recordServiceEntry', tags, summary: 'Record hours served',
      description: 'Every rule of the ledger is checked; the entry is pending unless the organization\'s approvalPolicy is `auto` '
        + 'and the key is its coordinator or a community admin (self-reports always wait). Send an Idempotency-Key to retry safely.',
      headers: IdempotencyHeaders, body: RecordEntryBody, response: { 201: ServiceEntry, ...writeProblems },
    },
  }, async (request, reply) => idempotent(app.db, request, reply, async (key) => {
    const entry = await service.record(contextOf(request), request.body, key && { ...key, answer: (rows) => ({ status: 201, body: toEntry(rows[0]!) }) });
    return { status: 201, body: entry };
  }, { headersFor: (outcome) => ({ location: `/v1/service-entries/${(outcome.body as { id: string }).id}` }) }));

  app.post('/v1/service-entries/batch', {
    config: { permission: 'entries:write' },
    schema: {
      operationId: 'importServiceEntries', tags, summary: 'Record up to 1,000 entries at once',
      description: 'All or nothing, in one transaction. Each bad item is named by its `index` and field. `source` defaults to `import`.',
      headers: IdempotencyHeaders, body: BatchBody, response: { 201: BatchResult, ...writeProblems },
    },
  }, async (request, reply) => idempotent(app.db, request, reply, async (key) => {
    // The answer is serialized (by the route's 201 schema) and encoded while the database inserts the batch: see sendEntries.
    let data: EntryView[] | undefined;
    let answer: Buffer | undefined;
    reply.code(201);
    await service.recordBatch(contextOf(request), request.body.entries, {
      ...(key ? { key: { ...key, answer: (rows) => ({ status: 201, body: { data: (data = rows.map(toEntry)) } }) } } : {}),
      meanwhile: (rows) => { answer = Buffer.from(reply.serialize({ data: data ?? rows.map(toEntry) }) as string); },
    });
    reply.type('application/json; charset=utf-8');
    return { status: 201, body: answer };
  }));

  app.get('/v1/service-entries', {
    config: { permission: 'entries:read' },
    schema: { operationId: 'listServiceEntries', tags, summary: 'List ledger entries', querystring: EntryQuery, response: { 200: EntryPage } },
  }, async (request, reply) => {
    // The service wrote the page's JSON from the rows' text (entryJson: the EntryPage shape, tests hold it to GET's); sent as is.
    const body = await service.list(contextOf(request), request.query);
    return reply.type('application/json; charset=utf-8').send(body as never);
  });

  app.get('/v1/service-entries/:id', {
    config: { permission: 'entries:read' },
    schema: { operationId: 'getServiceEntry', tags, summary: 'Get a ledger entry', params: IdParams, response: { 200: ServiceEntry } },
  }, async (request) => service.get(contextOf(request), request.params.id));

  app.patch('/v1/service-entries/:id', {
    config: { permission: 'entries:write' },
    schema: {
      operationId: 'correctServiceEntry', tags, summary: 'Correct a pending entry',
      description: 'Only pending entries change; an approved entry is corrected by voiding it and recording a new one.',
      params: IdParams, body: PatchEntryBody, response: { 200: ServiceEntry, ...writeProblems },
    },
  }, async (request) => service.patch(contextOf(request), request.params.id, request.body));

  app.post('/v1/service-entries/:id/approve', {
    config: { permission: 'entries:write' },
    schema: { operationId: 'approveServiceEntry', tags, summary: 'Approve a pending entry', description: 'From now on its minutes count in reports.', params: IdParams, response: { 200: ServiceEntry, 409: problemResponse(409) } },
  }, async (request) => service.approve(contextOf(request), request.params.id));

  app.post('/v1/service-entries/:id/reject', {
    config: { permission: 'entries:write' },
    schema: { operationId: 'rejectServiceEntry', tags, summary: 'Reject a pending entry', params: IdParams, body: ReasonBody, response: { 200: ServiceEntry, 409: problemResponse(409) } },
  }, async (request) => service.reject(contextOf(request), request.params.id, request.body.reason));

  app.post('/v1/service-entries/:id/void', {
    config: { permission: 'entries:write' },
    schema: { operationId: 'voidServiceEntry', tags, summary: 'Void an approved entry', description: 'It stops counting and stays in the ledger with the reason.', params: IdParams, body: ReasonBody, response: { 200: ServiceEntry, 409: problemResponse(409) } },
  }, async (request) => service.void(contextOf(request), request.params.id, request.body.reason));
};
