import { Type, type Static } from 'typebox';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { Instant, Nullable, Uuid } from '../../lib/schema-types.js';
import type { AuditRow } from './audit-repository.js';

export const AuditEvent = Type.Object({
  id: Uuid,
  communityId: Nullable(Uuid),
  actorKeyId: Nullable(Uuid),
  action: Type.String({ maxLength: 100, examples: ['community.created'] }),
  entityType: Type.String({ maxLength: 100, examples: ['community'] }),
  entityId: Uuid,
  before: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  after: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  requestId: Nullable(Type.String({ maxLength: 128 })),
  createdAt: Instant,
}, { title: 'AuditEvent' });

export const AuditQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  entityType: Type.Optional(Type.String({ maxLength: 100 })),
  entityId: Type.Optional(Uuid),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });

export const AuditPage = pageOf(AuditEvent);

export function toAuditEvent(row: AuditRow): Static<typeof AuditEvent> {
  return {
    id: row.id,
    communityId: row.communityId,
    actorKeyId: row.actorKeyId,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: (row.before ?? null) as Record<string, unknown> | null,
    after: (row.after ?? null) as Record<string, unknown> | null,
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
  };
}
