import { and, eq, gt, ilike, isNotNull, isNull, type SQL } from 'drizzle-orm';
import { scopedPage } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { organizations } from '../../db/schema/index.js';

export type OrganizationRow = typeof organizations.$inferSelect;
export type NewOrganizationRow = typeof organizations.$inferInsert;

export async function insertOrganization(db: Executor, row: NewOrganizationRow): Promise<OrganizationRow> {
  const [created] = await db.insert(organizations).values(row).returning();
  return created!;
}

export async function findOrganization(db: Executor, id: string, options: { forUpdate?: boolean; forShare?: boolean } = {}): Promise<OrganizationRow | undefined> {
  const query = db.select().from(organizations).where(eq(organizations.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : options.forShare ? await query.for('share') : await query;
  return row;
}

export interface OrganizationFilter {
  communityId?: string;
  id?: string;
  kind?: OrganizationRow['kind'];
  archived?: boolean;
  q?: string;
  after?: string;
  limit: number;
}

export async function listOrganizations(db: Executor, filter: OrganizationFilter): Promise<OrganizationRow[]> {
  const page = scopedPage(organizations.communityId, filter.communityId, organizations.id);
  const conditions: (SQL | undefined)[] = [page.where];
  if (filter.id) conditions.push(eq(organizations.id, filter.id));
  if (filter.kind) conditions.push(eq(organizations.kind, filter.kind));
  if (filter.archived === true) conditions.push(isNotNull(organizations.archivedAt));
  if (filter.archived === false) conditions.push(isNull(organizations.archivedAt));
  if (filter.q) conditions.push(ilike(organizations.name, `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (filter.after) conditions.push(gt(organizations.id, filter.after));
  return db.select().from(organizations).where(and(...conditions)).orderBy(...page.orderBy).limit(filter.limit + 1);
}

export async function updateOrganization(db: Executor, id: string, changes: Partial<NewOrganizationRow>): Promise<OrganizationRow> {
  const [row] = await db.update(organizations).set({ ...changes, updatedAt: new Date() }).where(eq(organizations.id, id)).returning();
  return row!;
}
