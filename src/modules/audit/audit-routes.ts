import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { listAuditEvents } from './audit-repository.js';
import { AuditPage, AuditQuery, toAuditEvent } from './audit-schemas.js';

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/audit-events', {
    config: { permission: 'audit:read' },
    schema: {
      operationId: 'listAuditEvents', tags: ['audit'], summary: 'List audit events',
      description: 'Every change to any resource, oldest first. Community admins see their community\'s events.',
      querystring: AuditQuery, response: { 200: AuditPage },
    },
  }, async (request) => {
    const { actor } = contextOf(request);
    const query = request.query;
    const pinned = actor.role === 'admin' ? query.communityId : actor.communityId ?? undefined;
    if (actor.role !== 'admin' && query.communityId && query.communityId !== pinned) return { data: [], nextCursor: null };
    const rows = await listAuditEvents(app.db, {
      ...(pinned ? { communityId: pinned } : {}),
      ...(query.entityType ? { entityType: query.entityType } : {}),
      ...(query.entityId ? { entityId: query.entityId } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toAuditEvent);
  });
};
