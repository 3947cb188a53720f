import { and, eq, gt, gte, ilike, or, sql, type SQL } from 'drizzle-orm';
import { scopedPage } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { auditEvents, communities, memberships, volunteers } from '../../db/schema/index.js';

export type VolunteerRow = typeof volunteers.$inferSelect;
export type NewVolunteerRow = typeof volunteers.$inferInsert;

export async function insertVolunteer(db: Executor, row: NewVolunteerRow): Promise<VolunteerRow> {
  const [created] = await db.insert(volunteers).values(row).returning();
  return created!;
}

export async function findVolunteer(db: Executor, id: string, options: { forUpdate?: boolean; forShare?: boolean } = {}): Promise<VolunteerRow | undefined> {
  const query = db.select().from(volunteers).where(eq(volunteers.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : options.forShare ? await query.for('share') : await query;
  return row;
}

export async function updateVolunteer(db: Executor, id: string, changes: Partial<NewVolunteerRow>): Promise<VolunteerRow> {
  const [row] = await db.update(volunteers).set({ ...changes, updatedAt: new Date() }).where(eq(volunteers.id, id)).returning();
  return row!;
}

export interface VolunteerFilter {
  communityId?: string;
  /** Current members of this organization only. */
  organizationId?: string;
  status?: VolunteerRow['status'];
  q?: string;
  phone?: string;
  /** Last digits of a phone; only for keys that see whole phones. */
  phoneSuffix?: string;
  updatedSince?: Date;
  after?: string;
  limit: number;
}

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The page's query, awaited for its rows (a test reads its SQL). */
export function listVolunteers(db: Executor, filter: VolunteerFilter) {
  const page = scopedPage(volunteers.communityId, filter.communityId, volunteers.id);
  const conditions: (SQL | undefined)[] = [page.where];
  if (filter.organizationId) {
    conditions.push(sql`exists (select 1 from ${memberships} m where m.volunteer_id = ${volunteers.id}
      and m.organization_id = ${filter.organizationId} and m.left_at is null)`);
  }
  if (filter.status) conditions.push(eq(volunteers.status, filter.status));
  if (filter.q) {
    const q = filter.q.trim();
    conditions.push(or(
      ilike(volunteers.name, `%${escapeLike(q)}%`),
      eq(volunteers.volunteerCode, q.toUpperCase()),
      ...(filter.phone ? [eq(volunteers.phone, filter.phone)] : []),
      ...(filter.phoneSuffix ? [sql`${volunteers.phone} like ${`%${filter.phoneSuffix}`}`] : []),
    ));
  }
  if (filter.updatedSince) conditions.push(gte(volunteers.updatedAt, filter.updatedSince));
  if (filter.after) conditions.push(gt(volunteers.id, filter.after));
  return db.select().from(volunteers).where(and(...conditions)).orderBy(...page.orderBy).limit(filter.limit + 1);
}

/** Erasure also reaches the audit trail: the events stay, the personal snapshots in them go. */
export async function scrubVolunteerAudit(db: Executor, volunteerId: string): Promise<void> {
  await db.update(auditEvents).set({ before: null, after: null })
    .where(and(eq(auditEvents.entityType, 'volunteer'), eq(auditEvents.entityId, volunteerId)));
}

/**
 * Hands out the community's next member number and counts the new registration (locks the
 * community row until the transaction ends).
 */
export async function nextMemberNo(db: Executor, communityId: string): Promise<number> {
  const [row] = await db.update(communities).set({ volunteerSeq: sql`${communities.volunteerSeq} + 1`, registeredVolunteers: sql`${communities.registeredVolunteers} + 1` })
    .where(eq(communities.id, communityId)).returning({ seq: communities.volunteerSeq });
  return row!.seq;
}

/** Keeps communities.registered_volunteers (everyone not withdrawn) right when a status changes. */
export async function countStatusChange(db: Executor, communityId: string, before: VolunteerRow['status'], after: VolunteerRow['status']): Promise<void> {
  const delta = Number(before === 'withdrawn') - Number(after === 'withdrawn');
  if (delta === 0) return;
  await db.update(communities).set({ registeredVolunteers: sql`${communities.registeredVolunteers} + ${delta}` }).where(eq(communities.id, communityId));
}
