import { and, eq, gt, type SQL } from 'drizzle-orm';
import { scopedPage } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { serviceCategories } from '../../db/schema/index.js';

export type CategoryRow = typeof serviceCategories.$inferSelect;
export type NewCategoryRow = typeof serviceCategories.$inferInsert;

export async function insertCategory(db: Executor, row: NewCategoryRow): Promise<CategoryRow> {
  const [created] = await db.insert(serviceCategories).values(row).returning();
  return created!;
}

export async function findCategory(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<CategoryRow | undefined> {
  const query = db.select().from(serviceCategories).where(eq(serviceCategories.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function listCategories(db: Executor, filter: { communityId?: string; code?: string; after?: string; limit: number }): Promise<CategoryRow[]> {
  const page = scopedPage(serviceCategories.communityId, filter.communityId, serviceCategories.id);
  const conditions: (SQL | undefined)[] = [page.where];
  if (filter.code) conditions.push(eq(serviceCategories.code, filter.code));
  if (filter.after) conditions.push(gt(serviceCategories.id, filter.after));
  return db.select().from(serviceCategories).where(and(...conditions)).orderBy(...page.orderBy).limit(filter.limit + 1);
}

export async function updateCategory(db: Executor, id: string, changes: Partial<NewCategoryRow>): Promise<CategoryRow> {
  const [row] = await db.update(serviceCategories).set({ ...changes, updatedAt: new Date() }).where(eq(serviceCategories.id, id)).returning();
  return row!;
}
