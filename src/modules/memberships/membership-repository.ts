import { and, eq, gt, isNull } from 'drizzle-orm';
import { pinnedTo, scopeThenId } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { memberships, volunteers } from '../../db/schema/index.js';

export type MembershipRow = typeof memberships.$inferSelect;

export async function findActiveMembership(db: Executor, organizationId: string, volunteerId: string): Promise<MembershipRow | undefined> {
  const [row] = await db.select().from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.volunteerId, volunteerId), isNull(memberships.leftAt)))
    .limit(1);
  return row;
}

/** Inserts unless an active membership exists; returns the row and whether it is new. */
export async function joinOrganization(db: Executor, row: { communityId: string; organizationId: string; volunteerId: string }): Promise<{ row: MembershipRow; created: boolean }> {
  const [created] = await db.insert(memberships).values(row).onConflictDoNothing().returning();
  if (created) return { row: created, created: true };
  const existing = await findActiveMembership(db, row.organizationId, row.volunteerId);
  return { row: existing!, created: false };
}

/** Ends a membership that is still active; undefined when another request ended it first. */
export async function leaveOrganization(db: Executor, id: string): Promise<MembershipRow | undefined> {
  const [row] = await db.update(memberships).set({ leftAt: new Date() }).where(and(eq(memberships.id, id), isNull(memberships.leftAt))).returning();
  return row;
}

/** Filters by community as well, so the scan runs on memberships_organization_idx (community, organization, id); see keyset.ts. */
export async function listMembers(db: Executor, filter: { communityId: string; organizationId: string; after?: string; limit: number }) {
  return db.select({
    id: memberships.id,
    organizationId: memberships.organizationId,
    volunteerId: memberships.volunteerId,
    joinedAt: memberships.joinedAt,
    volunteerCode: volunteers.volunteerCode,
    name: volunteers.name,
    status: volunteers.status,
  }).from(memberships)
    .innerJoin(volunteers, eq(volunteers.id, memberships.volunteerId))
    .where(and(eq(memberships.communityId, filter.communityId), pinnedTo(memberships.organizationId, filter.organizationId), isNull(memberships.leftAt), ...(filter.after ? [gt(memberships.id, filter.after)] : [])))
    .orderBy(...scopeThenId(memberships.organizationId, memberships.id))
    .limit(filter.limit + 1);
}
