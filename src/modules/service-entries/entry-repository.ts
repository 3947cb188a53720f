import { and, asc, eq, gt, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { serviceEntries } from '../../db/schema/index.js';
import { entryJsonSql, type EntryRow } from './entry-view.js';

export async function findEntry(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<EntryRow | undefined> {
  const query = db.select().from(serviceEntries).where(eq(serviceEntries.id, id)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

/**
 * The database's clock, as every insert's created_at/updated_at uses: with the app's clock, an
 * instance whose clock lagged could stamp approvedAt before createdAt or hide a change from
 * `updatedSince`.
 */
export const databaseNow = (): SQL => sql`now()`;

export async function updateEntry(db: Executor, id: string, changes: PgUpdateSetSource<typeof serviceEntries>): Promise<EntryRow> {
  const [row] = await db.update(serviceEntries).set({ ...changes, updatedAt: databaseNow() }).where(eq(serviceEntries.id, id)).returning();
  return row!;
}

export interface EntryFilter {
  communityId?: string;
  organizationId?: string;
  volunteerId?: string;
  categoryId?: string;
  status?: EntryRow['status'];
  from?: string;
  to?: string;
  updatedSince?: Date;
  after?: string;
  limit: number;
}

function filterConditions(filter: EntryFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.communityId) conditions.push(eq(serviceEntries.communityId, filter.communityId));
  if (filter.organizationId) conditions.push(eq(serviceEntries.organizationId, filter.organizationId));
  if (filter.volunteerId) conditions.push(eq(serviceEntries.volunteerId, filter.volunteerId));
  if (filter.categoryId) conditions.push(eq(serviceEntries.categoryId, filter.categoryId));
  if (filter.status) conditions.push(eq(serviceEntries.status, filter.status));
  if (filter.from) conditions.push(gte(serviceEntries.servedOn, filter.from));
  if (filter.to) conditions.push(lte(serviceEntries.servedOn, filter.to));
  if (filter.updatedSince) conditions.push(gte(serviceEntries.updatedAt, filter.updatedSince));
  if (filter.after) conditions.push(gt(serviceEntries.id, filter.after));
  return and(...conditions);
}

/** Up to `limit + 1` entries in id order, each as its JSON text (see `entryJsonSql`). */
export async function listEntriesJson(db: Executor, filter: EntryFilter): Promise<Array<{ id: string; json: string }>> {
  return db.select({ id: serviceEntries.id, json: sql<string>`${entryJsonSql}` }).from(serviceEntries)
    .where(filterConditions(filter)).orderBy(asc(serviceEntries.id)).limit(filter.limit + 1);
}
