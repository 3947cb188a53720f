import { and, asc, eq, gt, like, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { communities } from '../../db/schema/index.js';

export type CommunityRow = typeof communities.$inferSelect;
export type NewCommunityRow = typeof communities.$inferInsert;

export async function insertCommunity(db: Executor, row: NewCommunityRow): Promise<CommunityRow> {
  const [created] = await db.insert(communities).values(row).returning();
  return created!;
}

export async function findCommunity(db: Executor, id: string): Promise<CommunityRow | undefined> {
  const [row] = await db.select().from(communities).where(eq(communities.id, id)).limit(1);
  return row;
}

export async function findCommunityForUpdate(db: Executor, id: string): Promise<CommunityRow | undefined> {
  const [row] = await db.select().from(communities).where(eq(communities.id, id)).limit(1).for('update');
  return row;
}

export interface CommunityFilter {
  id?: string;
  regionPrefix?: string;
  after?: string;
  limit: number;
}

export async function listCommunities(db: Executor, filter: CommunityFilter): Promise<CommunityRow[]> {
  const conditions: SQL[] = [];
  if (filter.id) conditions.push(eq(communities.id, filter.id));
  if (filter.regionPrefix) conditions.push(like(communities.regionCode, `${filter.regionPrefix}%`));
  if (filter.after) conditions.push(gt(communities.id, filter.after));
  return db.select().from(communities).where(and(...conditions)).orderBy(asc(communities.id)).limit(filter.limit + 1);
}

export async function updateCommunity(db: Executor, id: string, changes: Partial<NewCommunityRow>): Promise<CommunityRow> {
  const [row] = await db.update(communities).set({ ...changes, updatedAt: new Date() }).where(eq(communities.id, id)).returning();
  return row!;
}
