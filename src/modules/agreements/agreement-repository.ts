import { and, eq, getTableColumns, gt, gte, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { scopedPage } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { agreements, communities } from '../../db/schema/index.js';

export type AgreementRow = typeof agreements.$inferSelect;
export type NewAgreementRow = typeof agreements.$inferInsert;
/** An agreement with its community's time zone, which decides the "today" it is in force on. */
export type AgreementRecord = AgreementRow & { timezone: string };
export type AgreementStatus = 'active' | 'expired' | 'terminated';

const withTimezone = { ...getTableColumns(agreements), timezone: communities.timezone };
const communityToday = sql`(now() at time zone ${communities.timezone})::date`;

/** The status as a condition on `agreements` joined to `communities`, in the community's today. */
function agreementStatusIs(status: AgreementStatus): SQL {
  if (status === 'terminated') return isNotNull(agreements.terminatedAt);
  if (status === 'expired') return and(isNull(agreements.terminatedAt), lt(agreements.validUntil, communityToday))!;
  return and(isNull(agreements.terminatedAt), or(isNull(agreements.validUntil), gte(agreements.validUntil, communityToday)))!;
}

export async function insertAgreement(db: Executor, row: NewAgreementRow): Promise<AgreementRow> {
  const [created] = await db.insert(agreements).values(row).returning();
  return created!;
}

export async function findAgreement(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<AgreementRecord | undefined> {
  const query = db.select(withTimezone).from(agreements)
    .innerJoin(communities, eq(communities.id, agreements.communityId))
    .where(eq(agreements.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update', { of: agreements }) : await query;
  return row;
}

export interface AgreementFilter {
  communityId?: string;
  organizationId?: string;
  status?: AgreementStatus;
  after?: string;
  limit: number;
}

export async function listAgreements(db: Executor, filter: AgreementFilter): Promise<AgreementRecord[]> {
  const page = scopedPage(agreements.communityId, filter.communityId, agreements.id);
  const conditions: (SQL | undefined)[] = [page.where];
  if (filter.organizationId) conditions.push(eq(agreements.organizationId, filter.organizationId));
  if (filter.status) conditions.push(agreementStatusIs(filter.status));
  if (filter.after) conditions.push(gt(agreements.id, filter.after));
  return db.select(withTimezone).from(agreements)
    .innerJoin(communities, eq(communities.id, agreements.communityId))
    .where(and(...conditions)).orderBy(...page.orderBy).limit(filter.limit + 1);
}

export async function updateAgreement(db: Executor, id: string, changes: Partial<NewAgreementRow>): Promise<AgreementRow> {
  const [row] = await db.update(agreements).set({ ...changes, updatedAt: new Date() }).where(eq(agreements.id, id)).returning();
  return row!;
}
