import { and, eq, gt, isNull, type SQL } from 'drizzle-orm';
import { scopedPage } from '../../db/keyset.js';
import type { Executor } from '../../db/client.js';
import { apiKeys } from '../../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;

export async function insertApiKey(db: Executor, row: NewApiKeyRow): Promise<ApiKeyRow> {
  const [created] = await db.insert(apiKeys).values(row).returning();
  return created!;
}

export async function findApiKeyByLookup(db: Executor, lookup: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.lookup, lookup)).limit(1);
  return row;
}

export async function findApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

export async function hasActiveAdminKey(db: Executor): Promise<boolean> {
  const rows = await db.select({ id: apiKeys.id }).from(apiKeys)
    .where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt))).limit(1);
  return rows.length > 0;
}

export async function listApiKeys(db: Executor, filter: { communityId?: string; after?: string; limit: number }): Promise<ApiKeyRow[]> {
  const page = scopedPage(apiKeys.communityId, filter.communityId, apiKeys.id);
  const conditions: (SQL | undefined)[] = [page.where];
  if (filter.after) conditions.push(gt(apiKeys.id, filter.after));
  return db.select().from(apiKeys).where(and(...conditions)).orderBy(...page.orderBy).limit(filter.limit + 1);
}

export async function revokeApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.update(apiKeys).set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning();
  return row;
}
