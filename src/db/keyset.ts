import { and, asc, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/*
 * Lists page by id (UUIDv7, creation order) within a scope: an organization's entries, a
 * community's audit events. Written as `scope = $1 order by id`, PostgreSQL may walk the primary
 * key in id order and filter on the scope, which is right for an old, large scope and ruinous for
 * a new one, whose rows all come after everyone else's: with 50,000 older entries of another
 * organization ahead of them, one page of 50 read 9,550 buffers (11.7 ms) instead of 33 (0.1 ms).
 * A generic plan (a prepared statement) or a stale estimate picks it. Written as a closed range
 * and ordered by (scope, id), only the (scope, id) index gives the order without a sort:
 * PostgreSQL drops a sort key pinned by `=`, never one bounded by a range, so the primary key is
 * no longer a candidate, and the scan still starts at the cursor (`id > $after` is an index bound).
 */

/*
 * A second equality in the same page (a coordinator's community beside its organization) must not
 * be walked either: a community too new for the statistics looks like one row, and PostgreSQL
 * walked its (community_id, updated_at) index through all 2,490 of its entries and sorted them,
 * 2.8 ms a page. `is not distinct from` is the same test for a value that is never null, and no
 * index can serve it, so it is checked row by row on the scope's walk.
 */

/** `column = value`, as a closed range that keeps `column` in the list's order (see above). */
export const pinnedTo = (column: PgColumn, value: unknown): SQL => and(gte(column, value), lte(column, value))!;

/** `column = value`, checked on each row of the walk and never walked itself (see above). */
export const checkedOnly = (column: PgColumn, value: unknown): SQL => sql`${column} is not distinct from ${value}`;

/** The order of a page within a scope pinned by `pinnedTo` (or of the whole table, without one). */
export const scopeThenId = (scope: PgColumn | undefined, id: PgColumn): SQL[] => (scope ? [asc(scope), asc(id)] : [asc(id)]);

/** A page within `value` of `scope` (or of the whole table, without one): its condition and its order (see above). */
export function scopedPage(scope: PgColumn, value: string | undefined, id: PgColumn): { where: SQL | undefined; orderBy: SQL[] } {
  return value === undefined ? { where: undefined, orderBy: scopeThenId(undefined, id) } : { where: pinnedTo(scope, value), orderBy: scopeThenId(scope, id) };
}
