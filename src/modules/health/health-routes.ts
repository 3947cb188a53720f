import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ping } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { problemResponse } from '../../lib/problem-schema.js';

const Status = Type.Object({ status: Type.Literal('ok') }, { title: 'Health' });
const Ready = Type.Object({ status: Type.Literal('ok'), database: Type.Enum(['postgres', 'embedded']) }, { title: 'Readiness' });

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health/live', {
    config: { permission: 'public' },
    schema: { operationId: 'getLiveness', tags: ['health'], summary: 'The process is up (never touches the database)', response: { 200: Status } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/health/ready', {
    config: { permission: 'public' },
    schema: { operationId: 'getReadiness', tags: ['health'], summary: 'The database answers', response: { 200: Ready, 503: problemResponse(503) } },
  }, async () => {
    try {
      await ping(app.db);
    } catch (err) {
      throw new AppError('service_unavailable', 'The database is not reachable', { headers: { 'retry-after': '5' }, cause: err });
    }
    return { status: 'ok' as const, database: app.database.kind };
  });
};
