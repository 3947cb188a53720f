import { sql, type SQL } from 'drizzle-orm';
import type { DatabaseHandle, Executor } from '../../db/client.js';
import { streamRows, type StreamOptions } from '../../db/stream.js';
import { queryRows } from '../../db/raw.js';
import { countBits, toBuffer, unionBitmaps } from '../../lib/bitmap.js';
import { dimensionExpression, keyOf, periodOfMonth, type Dimension } from './dimensions.js';
import { addLabels } from './labels.js';
import { hoursOf, monthAligned, type ReportScope } from './report-scope.js';
import { approvedEntries, rollupMonths } from './report-sql.js';
import { WHOLE_COMMUNITY } from '../../db/schema/index.js';

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
 * community, organization and month and nothing filters by category; everything else reads the
 * approved entries themselves through the covering index.
 */
export function answeredByRollups(scope: ReportScope, groupBy: readonly Dimension[]): boolean {
  return monthAligned(scope) && !scope.categoryId
    && groupBy.every((d) => d === 'community' || d === 'organization' || d === 'month' || d === 'quarter' || d === 'year');
}

export async function hoursReport(db: Executor, scope: ReportScope, groupBy: readonly Dimension[]): Promise<{ rows: HoursRow[]; totals: Figures }> {
  if (scope.communityIds.length === 0) return { rows: [], totals: NONE };
  const result = answeredByRollups(scope, groupBy) ? await fromRollups(db, scope, groupBy) : await fromEntries(db, scope, groupBy);
  await addLabels(db, result.rows);
  return result;
}

const positionsOf = (keys: readonly SQL[]): SQL => sql.join([...keys], sql`, `);

/** The grouping keys of a ledger query: their expressions, the select list (`k0`, `k1`) and their positions. */
function groupedKeys(groupBy: readonly Dimension[]): { keys: SQL[]; select: SQL; positions: SQL } {
  const keys = groupBy.map((d) => dimensionExpression(d, sql`served_on`));
  return {
    keys,
    select: sql.join(keys.map((k, i) => sql`${k} as k${sql.raw(String(i))}`), sql`, `),
    positions: sql.raw(groupBy.map((_, i) => String(i + 1)).join(', ')),
  };
}

/** One row of a ledger query (keys `k0`, `k1` and the figures) as a report row. */
function toHoursRow(r: Record<string, string | number | null>, groupBy: readonly Dimension[]): HoursRow {
  const row: HoursRow = { ...figures(Number(r.minutes), Number(r.entries), Number(r.volunteers)) };
  groupBy.forEach((d, i) => { row[keyOf(d)] = r[`k${i}`] as string; });
  return row;
}

async function fromEntries(db: Executor, scope: ReportScope, groupBy: readonly Dimension[]) {
  // No grouping (the summary's totals): an empty select list or grouping set is not SQL.
  if (groupBy.length === 0) {
    const [t] = await queryRows<{ minutes: number; entries: number; volunteers: number }>(db, sql`
      select coalesce(sum(minutes), 0)::bigint as minutes, count(*)::int as entries, count(distinct volunteer_id)::int as volunteers
      from service_entries where ${approvedEntries(scope)}`);
    return { rows: [], totals: figures(Number(t!.minutes), Number(t!.entries), Number(t!.volunteers)) };
  }
  const { keys, select, positions } = groupedKeys(groupBy);
  // One scan for rows and totals: the empty grouping set is the total, distinct over everyone.
  const grouped = await queryRows<Record<string, string | number | null>>(db, sql`
    select ${select}, grouping(${positionsOf(keys)}) as is_total,
      sum(minutes)::bigint as minutes, count(*)::int as entries, count(distinct volunteer_id)::int as volunteers
    from service_entries where ${approvedEntries(scope)}
    group by grouping sets ((${positionsOf(keys)}), ()) order by ${positions}`);
  const totalRow = grouped.find((r) => Number(r.is_total) !== 0);
  const total = { minutes: Number(totalRow?.minutes ?? 0), entries: Number(totalRow?.entries ?? 0), volunteers: Number(totalRow?.volunteers ?? 0) };
  const rows = grouped.filter((r) => Number(r.is_total) === 0).map((r) => toHoursRow(r, groupBy));
  return { rows, totals: figures(total.minutes, total.entries, total.volunteers) };
}

async function fromRollups(db: Executor, scope: ReportScope, groupBy: readonly Dimension[]) {
  // Whole-community cells unless organizations matter, then one cell per organization (unions dedupe people in two).
  const byOrganization = groupBy.includes('organization') || !!scope.organizationId;
  const cells = await queryRows<{ communityId: string; organizationId: string; month: string; members: Buffer; minutes: number; entries: number }>(db, sql`
    select community_id as "communityId", organization_id as "organizationId", month::text as month, members, minutes, entries
    from volunteer_month_bitmaps
    where ${rollupMonths(scope)} and entries > 0
      and organization_id ${byOrganization ? sql`<>` : sql`=`} ${WHOLE_COMMUNITY}::uuid
      ${scope.organizationId ? sql`and organization_id = ${scope.organizationId}::uuid` : sql``}`);

  const rowKey = (cell: { communityId: string; organizationId: string; month: string }) => groupBy.map((d) =>
    (d === 'community' ? cell.communityId : d === 'organization' ? cell.organizationId : periodOfMonth(d, cell.month)));
  interface Group { keys: string[]; minutes: number; entries: number; members: Map<string, Buffer[]> }
  const groups = new Map<string, Group>();
  const everyone = new Map<string, Buffer[]>();
  const add = (members: Map<string, Buffer[]>, communityId: string, bitmap: Buffer) => {
    const list = members.get(communityId);
    if (list) list.push(bitmap);
    else members.set(communityId, [bitmap]);
  };
  let minutes = 0;
  let entries = 0;
  for (const cell of cells) {
    const keys = rowKey(cell);
    const id = keys.join('|');
    const group = groups.get(id) ?? { keys, minutes: 0, entries: 0, members: new Map<string, Buffer[]>() };
    const bitmap = toBuffer(cell.members);
    group.minutes += Number(cell.minutes);
    group.entries += Number(cell.entries);
    add(group.members, cell.communityId, bitmap);
    add(everyone, cell.communityId, bitmap);
    groups.set(id, group);
    minutes += Number(cell.minutes);
    entries += Number(cell.entries);
  }
  // One person belongs to one community: distinct counts add up across communities, union across months.
  const distinct = (members: Map<string, Buffer[]>) => [...members.values()].reduce((sum, list) => sum + countBits(list.length === 1 ? list[0]! : unionBitmaps(list)), 0);
  const rows = [...groups.values()]
    .sort((a, b) => compareKeys(a.keys, b.keys))
    .map((g) => {
      const row: HoursRow = { ...figures(g.minutes, g.entries, distinct(g.members)) };
      groupBy.forEach((d, i) => { row[keyOf(d)] = g.keys[i]!; });
      return row;
    });
  return { rows, totals: figures(minutes, entries, distinct(everyone)) };
}

/** The order PostgreSQL gives the raw path (byte order on uuid text and period keys), so both paths list rows alike. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

/**
 * The rows of a report read from the ledger, streamed and labelled batch by batch: CSV exports of
 * any size (a city's volunteers × days) in bounded memory. Rollup-answered reports are small.
 */
export async function* streamHoursRows(handle: DatabaseHandle, scope: ReportScope, groupBy: readonly Dimension[], stream: StreamOptions): AsyncGenerator<HoursRow> {
  if (scope.communityIds.length === 0) return;
  if (groupBy.length === 0 || answeredByRollups(scope, groupBy)) {
    yield* (await hoursReport(handle.db, scope, groupBy)).rows;
    return;
  }
  const { select, positions } = groupedKeys(groupBy);
  const query = sql`
    select ${select}, sum(minutes)::bigint as minutes, count(*)::int as entries, count(distinct volunteer_id)::int as volunteers
    from service_entries where ${approvedEntries(scope)} group by ${positions} order by ${positions}`;
  for await (const batch of streamRows<Record<string, string | number>>(handle, query, stream)) {
    const rows = batch.rows.map((r) => toHoursRow(r, groupBy));
    await addLabels(batch.db, rows);
    yield* rows;
  }
}
