import { and, asc, eq, gt, gte, lte, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database, Executor } from '../../db/client.js';
import { checkedOnly, pinnedTo, scopeThenId } from '../../db/keyset.js';
import { serviceEntries } from '../../db/schema/index.js';
import { queryRows, statement, type Statement } from '../../db/raw.js';
import { entryJson, type EntryRow, type EntryTextRow } from './entry-view.js';

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

export type FilterKey = Exclude<keyof EntryFilter, 'limit'>;

/** Each filter as a condition on its value (a placeholder of its own name, or the value itself); `after` is the cursor. */
const CONDITIONS: Record<FilterKey, (value: SQLWrapper) => SQL> = {
  communityId: (v) => eq(serviceEntries.communityId, v),
  organizationId: (v) => eq(serviceEntries.organizationId, v),
  volunteerId: (v) => eq(serviceEntries.volunteerId, v),
  categoryId: (v) => eq(serviceEntries.categoryId, v),
  status: (v) => eq(serviceEntries.status, v),
  from: (v) => gte(serviceEntries.servedOn, v),
  to: (v) => lte(serviceEntries.servedOn, v),
  updatedSince: (v) => gte(serviceEntries.updatedAt, v),
  after: (v) => gt(serviceEntries.id, v),
};
const FILTER_KEYS = Object.keys(CONDITIONS) as FilterKey[];

/** The column whose (column, id) index a page walks: the narrowest scope the filter names. */
const SCOPES = [['organizationId', serviceEntries.organizationId], ['communityId', serviceEntries.communityId]] as const;

/** The list statement for one combination of filters, each value a placeholder named after its filter. */
export function listStatement(db: Database, keys: readonly FilterKey[]) {
  const [scopeKey, scope] = SCOPES.find(([key]) => keys.includes(key)) ?? [];
  return db.select().from(serviceEntries)
    .where(and(...keys.map((key) => {
      if (key === scopeKey) return pinnedTo(scope!, sql.placeholder(key));
      if (key === 'communityId') return checkedOnly(serviceEntries.communityId, sql.placeholder(key)); // the organization's walk checks it
      return CONDITIONS[key](sql.placeholder(key));
    })))
    .orderBy(...scopeThenId(scope, serviceEntries.id)).limit(sql.placeholder('limit'));
}

/**
 * The list statement, compiled once per combination of filters and run as a named statement
 * whose rows come back as they are (see `statement`): building the query per request cost the
 * service ~13% of its CPU under the list load (Drizzle's query builder, CPU profile), and a
 * named statement spares PostgreSQL parsing it again.
 */
const listStatements = new Map<number, Statement<EntryTextRow, Record<string, unknown>>>();

/**
 * A page of changes (`updatedSince`, as a sync polls) is planned for its values each time: how
 * many entries changed since then decides between walking the scope in id order and fetching the
 * few changed ones by the (community_id, updated_at) index and sorting them, and only the values
 * tell. The prepared statement's generic plan, blind to them, walked a whole community to find
 * the ten entries changed since the last poll.
 */
export function changesStatement(db: Executor, filter: EntryFilter, keys: readonly FilterKey[]) {
  return db.select().from(serviceEntries)
    .where(and(...keys.map((key) => CONDITIONS[key](sql.param(filter[key])))))
    .orderBy(asc(serviceEntries.id)).limit(filter.limit + 1);
}

/** Up to `limit + 1` entries in id order, each as its JSON text (see `entryJson`). */
export async function listEntriesJson(db: Database, filter: EntryFilter): Promise<Array<{ id: string; json: string }>> {
  const rows = await listEntryRows(db, filter);
  return rows.map((row) => ({ id: row.id, json: entryJson(row) }));
}

async function listEntryRows(db: Database, filter: EntryFilter): Promise<EntryTextRow[]> {
  const keys = FILTER_KEYS.filter((key) => filter[key] !== undefined);
  if (filter.updatedSince !== undefined) return queryRows<EntryTextRow>(db, changesStatement(db, filter, keys).getSQL()); // unmapped, as `statement` runs the others
  const shape = keys.reduce((bits, key) => bits | (1 << FILTER_KEYS.indexOf(key)), 0);
  let query = listStatements.get(shape);
  if (!query) {
    const text = listStatement(db, keys).getSQL(); // tables, columns and placeholders only: no database is kept
    listStatements.set(shape, (query = statement<EntryTextRow, Record<string, unknown>>(`entries_list_${shape}`, () => text)));
  }
  return query(db, { ...Object.fromEntries(keys.map((key) => [key, filter[key]])), limit: filter.limit + 1 });
}
