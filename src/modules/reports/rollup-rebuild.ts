import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';
import { WHOLE_COMMUNITY } from '../../db/schema/index.js';
import { setBits } from '../../lib/bitmap.js';
import { inTransaction } from '../../lib/transaction.js';

/** A rollup cell as the ledger says it should be. */
export interface ExpectedCell {
  members: Buffer;
  minutes: number;
  entries: number;
}

/**
 * For each community and month (and each organization in it), the member numbers of volunteers
 * with approved minutes, from the ledger; keyed `community|month|organization`. Every community,
 * or the one named.
 */
export async function expectedBitmaps(db: Executor, communityId?: string): Promise<Map<string, ExpectedCell>> {
  const rows = await queryRows<{ communityId: string; month: string; organizationId: string; members: number[]; minutes: number; entries: number }>(db, sql`
    select e.community_id as "communityId", date_trunc('month', e.served_on)::date::text as month,
      coalesce(e.organization_id, ${WHOLE_COMMUNITY}::uuid) as "organizationId", array_agg(distinct v.member_no) as members,
      sum(e.minutes)::bigint as minutes, count(*)::int as entries
    from service_entries e join volunteers v on v.id = e.volunteer_id
    where e.status = 'approved' ${inCommunity(sql`e.community_id`, communityId)}
    group by grouping sets ((1, 2), (1, 2, e.organization_id))`);
  return new Map(rows.map((r) => [`${r.communityId}|${r.month}|${r.organizationId}`,
    { members: setBits(undefined, r.members.map(Number), true), minutes: Number(r.minutes), entries: Number(r.entries) }]));
}

/**
 * Rebuilds every rollup (or one community's) from the ledger (after a bulk load, or to repair
 * after an incident), in one transaction: reports read the old rollups until it commits, never
 * an emptied or half-written table, and a rebuild that fails leaves them as they were. It first
 * locks the table against writers (EXCLUSIVE: readers go on): an approval or void that has
 * written its cells commits before the ledger is read, and is counted; one that has not waits,
 * and adds its change to the rebuilt cells once this commits.
 */
export async function rebuildRollups(db: Database, communityId?: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.execute(sql`lock table volunteer_month_bitmaps in exclusive mode`);
    await tx.execute(sql`delete from volunteer_month_bitmaps where true ${inCommunity(sql`community_id`, communityId)}`);
    await insertCells(tx, [...(await expectedBitmaps(tx, communityId)).entries()]);
  });
}

/** `and column = communityId`, or nothing for every community. */
export const inCommunity = (column: SQL, communityId: string | undefined): SQL => (communityId === undefined ? sql`` : sql`and ${column} = ${communityId}::uuid`);

async function insertCells(tx: Executor, bitmaps: Array<[string, ExpectedCell]>): Promise<void> {
  for (let i = 0; i < bitmaps.length; i += 2000) {
    const chunk = bitmaps.slice(i, i + 2000);
    await tx.execute(sql`
      insert into volunteer_month_bitmaps (community_id, month, organization_id, members, minutes, entries)
      select * from unnest(${array(chunk.map(([k]) => k.split('|')[0]))}::uuid[], ${array(chunk.map(([k]) => k.split('|')[1]))}::date[],
                           ${array(chunk.map(([k]) => k.split('|')[2]))}::uuid[], ${array(chunk.map(([, c]) => c.members))}::bytea[],
                           ${array(chunk.map(([, c]) => c.minutes))}::bigint[], ${array(chunk.map(([, c]) => c.entries))}::int[])`);
  }
}
