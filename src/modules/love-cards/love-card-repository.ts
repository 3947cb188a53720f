import { and, eq, gt, type SQL } from 'drizzle-orm';
import { scopedPage } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { loveCards } from '../../db/schema/index.js';

export type LoveCardRow = typeof loveCards.$inferSelect;
export type NewLoveCardRow = typeof loveCards.$inferInsert;

/** The partial unique index that holds an organization to one active claim per category. */
export const ACTIVE_CLAIM_UNIQUE = 'love_cards_active_unique';

export async function insertLoveCard(db: Executor, row: NewLoveCardRow): Promise<LoveCardRow> {
  const [created] = await db.insert(loveCards).values(row).returning();
  return created!;
}

export async function findLoveCard(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<LoveCardRow | undefined> {
  const query = db.select().from(loveCards).where(eq(loveCards.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

export interface LoveCardFilter {
  communityId?: string;
  organizationId?: string;
  categoryId?: string;
  status?: LoveCardRow['status'];
  after?: string;
  limit: number;
}

export async function listLoveCards(db: Executor, filter: LoveCardFilter): Promise<LoveCardRow[]> {
  const page = scopedPage(loveCards.communityId, filter.communityId, loveCards.id);
  const conditions: (SQL | undefined)[] = [page.where];
  if (filter.organizationId) conditions.push(eq(loveCards.organizationId, filter.organizationId));
  if (filter.categoryId) conditions.push(eq(loveCards.categoryId, filter.categoryId));
  if (filter.status) conditions.push(eq(loveCards.status, filter.status));
  if (filter.after) conditions.push(gt(loveCards.id, filter.after));
  return db.select().from(loveCards).where(and(...conditions)).orderBy(...page.orderBy).limit(filter.limit + 1);
}

export async function updateLoveCard(db: Executor, id: string, changes: Partial<NewLoveCardRow>): Promise<LoveCardRow> {
  const [row] = await db.update(loveCards).set({ ...changes, updatedAt: new Date() }).where(eq(loveCards.id, id)).returning();
  return row!;
}
