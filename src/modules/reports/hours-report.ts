import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import { countBits, unionBitmaps } from '../../lib/bitmap.js';
import { dimensionExpression, keyOf, periodOfMonth, type Dimension } from './dimensions.js';
import { addLabels } from './labels.js';
import { hoursOf, monthAligned, type ReportScope } from './report-scope.js';
import { approvedEntries, rollupMonths } from './report-sql.js';
import { toBuffer } from './rollup-writer.js';

export interface Figures {
  minutes: number;
  hours: number;
  entries: number;
  volunteers: number;
}
export type HoursRow = Figures & Record<string, string | number | null>;

export const figures = (minutes: number, entries: number, volunteers: number): Figures => ({ minutes, hours: hoursOf(minutes), entries, volunteers });
const NONE = figures(0, 0, 0);

/**
 * Monthly rollups and volunteer bitmaps answer exactly when the grouping needs nothing finer than
 * community and month and nothing filters by organization or category; everything else reads the
 * approved entries themselves (one community's year is a few thousand index entries).
 */
export function answeredByRollups(scope: ReportScope, groupBy: readonly Dimension[]): boolean {
  return monthAligned(scope) && !scope.organizationId && !scope.categoryId
    && groupBy.every((d) => d === 'community' || d === 'month' || d === 'quarter' || d === 'year');
}

export async function hoursReport(db: Executor, scope: ReportScope, groupBy: readonly Dimension[]): Promise<{ rows: HoursRow[]; totals: Figures }> {
  if (scope.communityIds.length === 0) return { rows: [], totals: NONE };
  const result = answeredByRollups(scope, groupBy) ? await fromRollups(db, scope, groupBy) : await fromEntries(db, scope, groupBy);
  await addLabels(db, result.rows);
  return result;
}

async function fromEntries(db: Executor, scope: ReportScope, groupBy: readonly Dimension[]) {
  const keys = groupBy.map((d) => dimensionExpression(d, sql`served_on`));
  const select = sql.join(keys.map((k, i) => sql`${k} as k${sql.raw(String(i))}`), sql`, `);
  const positions = sql.raw(groupBy.map((_, i) => String(i + 1)).join(', '));
  const grouped = await queryRows<Record<string, string | number>>(db, sql`
    select ${select}, sum(minutes)::bigint as minutes, count(*)::int as entries, count(distinct volunteer_id)::int as volunteers
    from service_entries where ${approvedEntries(scope)}
    group by ${positions} order by ${positions}`);
  const [total] = await queryRows<{ minutes: number; entries: number; volunteers: number }>(db, sql`
    select coalesce(sum(minutes), 0)::bigint as minutes, count(*)::int as entries, count(distinct volunteer_id)::int as volunteers
    from service_entries where ${approvedEntries(scope)}`);
  const rows = grouped.map((r) => {
    const row: HoursRow = { ...figures(Number(r.minutes), Number(r.entries), Number(r.volunteers)) };
    groupBy.forEach((d, i) => { row[keyOf(d)] = r[`k${i}`] as string; });
    return row;
  });
  return { rows, totals: figures(Number(total!.minutes), Number(total!.entries), Number(total!.volunteers)) };
}

async function fromRollups(db: Executor, scope: ReportScope, groupBy: readonly Dimension[]) {
  const cells = await queryRows<{ communityId: string; month: string; minutes: number; entries: number }>(db, sql`
    select community_id as "communityId", month::text as month, sum(minutes)::bigint as minutes, sum(entries)::int as entries
    from hours_monthly where ${rollupMonths(scope)} group by community_id, month`);
  const bitmapRows = await queryRows<{ communityId: string; month: string; members: Buffer }>(db, sql`
    select community_id as "communityId", month::text as month, members from volunteer_month_bitmaps where ${rollupMonths(scope)}`);
  const bitmaps = new Map(bitmapRows.map((b) => [`${b.communityId}|${b.month}`, toBuffer(b.members)]));

  const rowKey = (communityId: string, month: string) => groupBy.map((d) => (d === 'community' ? communityId : periodOfMonth(d, month)));
  interface Group { keys: string[]; minutes: number; entries: number; members: Map<string, Buffer[]> }
  const groups = new Map<string, Group>();
  const everyone = new Map<string, Buffer[]>();
  let minutes = 0;
  let entries = 0;
  for (const cell of cells) {
    const cellMinutes = Number(cell.minutes);
    const cellEntries = Number(cell.entries);
    if (cellEntries === 0) continue;
    const keys = rowKey(cell.communityId, cell.month);
    const id = keys.join('|');
    const group = groups.get(id) ?? { keys, minutes: 0, entries: 0, members: new Map<string, Buffer[]>() };
    group.minutes += cellMinutes;
    group.entries += cellEntries;
    const bitmap = bitmaps.get(`${cell.communityId}|${cell.month}`);
    if (bitmap) {
      group.members.set(cell.communityId, [...(group.members.get(cell.communityId) ?? []), bitmap]);
      everyone.set(cell.communityId, [...(everyone.get(cell.communityId) ?? []), bitmap]);
    }
    groups.set(id, group);
    minutes += cellMinutes;
    entries += cellEntries;
  }
  // One person belongs to one community: distinct counts add up across communities, union across months.
  const distinct = (members: Map<string, Buffer[]>) => [...members.values()].reduce((sum, list) => sum + countBits(unionBitmaps(list)), 0);
  const rows = [...groups.values()]
    .sort((a, b) => a.keys.join('|').localeCompare(b.keys.join('|')))
    .map((g) => {
      const row: HoursRow = { ...figures(g.minutes, g.entries, distinct(g.members)) };
      groupBy.forEach((d, i) => { row[keyOf(d)] = g.keys[i]!; });
      return row;
    });
  return { rows, totals: figures(minutes, entries, distinct(everyone)) };
}

