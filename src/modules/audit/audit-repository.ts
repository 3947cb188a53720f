import { and, eq, gt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { checkedOnly, pinnedTo, scopeThenId } from '../../db/keyset.js';
import { auditEvents } from '../../db/schema/index.js';
import type { RequestContext } from '../../lib/context.js';

export type AuditRow = typeof auditEvents.$inferSelect;

export interface AuditChange {
  action: string;
  entityType: string;
  entityId: string;
  communityId: string | null;
  before?: unknown;
  after?: unknown;
}

/** Written inside the transaction of the change it describes, so neither exists without the other. */
export async function recordAudit(tx: Executor, ctx: Pick<RequestContext, 'actor' | 'requestId'>, change: AuditChange): Promise<void> {
  await tx.insert(auditEvents).values({
    communityId: change.communityId,
    actorKeyId: ctx.actor.keyId,
    action: change.action,
    entityType: change.entityType,
    entityId: change.entityId,
    before: change.before ?? null,
    after: change.after ?? null,
    requestId: ctx.requestId,
  });
}

export async function recordAudits(tx: Executor, ctx: Pick<RequestContext, 'actor' | 'requestId'>, changes: AuditChange[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.insert(auditEvents).values(changes.map((change) => ({
    communityId: change.communityId,
    actorKeyId: ctx.actor.keyId,
    action: change.action,
    entityType: change.entityType,
    entityId: change.entityId,
    before: change.before ?? null,
    after: change.after ?? null,
    requestId: ctx.requestId,
  })));
}

export interface AuditFilter {
  communityId?: string;
  entityType?: string;
  entityId?: string;
  after?: string;
  limit: number;
}

/** The page's query, awaited for its rows (a test reads its SQL). */
export function listAuditEvents(db: Executor, filter: AuditFilter) {
  // The page walks the (entity_type, entity_id, id) index for one entity's events, else the (community_id, id) one (see keyset.ts).
  const scope = filter.entityType && filter.entityId ? auditEvents.entityId : filter.communityId ? auditEvents.communityId : undefined;
  const conditions: SQL[] = [];
  if (filter.communityId) conditions.push(scope === auditEvents.communityId ? pinnedTo(scope, filter.communityId) : checkedOnly(auditEvents.communityId, filter.communityId));
  if (filter.entityType) conditions.push(eq(auditEvents.entityType, filter.entityType));
  if (filter.entityId) conditions.push(scope === auditEvents.entityId ? pinnedTo(scope, filter.entityId) : eq(auditEvents.entityId, filter.entityId));
  if (filter.after) conditions.push(gt(auditEvents.id, filter.after));
  return db.select().from(auditEvents).where(and(...conditions)).orderBy(...scopeThenId(scope, auditEvents.id)).limit(filter.limit + 1);
}
