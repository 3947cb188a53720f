import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';

/** Append-only record of every change: who (key), what (action on entity), before and after. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    communityId: uuid('community_id'),
    actorKeyId: uuid('actor_key_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_entity_idx').on(t.entityType, t.entityId, t.id),
    index('audit_events_community_idx').on(t.communityId, t.id),
  ],
);
