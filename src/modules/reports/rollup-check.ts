import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import { sameBits } from '../../lib/bitmap.js';
import { expectedBitmaps, expectedMonthlyHours } from './rollup-rebuild.js';
import { toBuffer } from './rollup-writer.js';

export interface RollupDifference {
  table: 'hours_monthly' | 'volunteer_month_bitmaps';
  key: string;
  stored: string;
  expected: string;
}

/** Recomputes every rollup from the ledger and lists each cell where the stored value differs. */
export async function checkRollups(db: Executor): Promise<RollupDifference[]> {
  const hours = await queryRows<{ key: string; stored: string | null; expected: string | null }>(db, sql`
    with expected as (${expectedMonthlyHours})
    select concat_ws('|', coalesce(s.community_id, e.community_id), coalesce(s.month, e.month), coalesce(s.organization_id, e.organization_id), coalesce(s.category_id, e.category_id)) as key,
      case when s.community_id is null then null else s.minutes || ' min / ' || s.entries || ' entries' end as stored,
      case when e.community_id is null then null else e.minutes || ' min / ' || e.entries || ' entries' end as expected
    from hours_monthly s
    full join expected e on e.community_id = s.community_id and e.month = s.month and e.organization_id = s.organization_id and e.category_id = s.category_id
    where (s.community_id is null and e.entries <> 0) or (e.community_id is null and s.entries <> 0)
       or (s.community_id is not null and e.community_id is not null and (s.minutes <> e.minutes or s.entries <> e.entries))`);
  const differences: RollupDifference[] = hours.map((h) => ({ table: 'hours_monthly', key: h.key, stored: h.stored ?? 'missing', expected: h.expected ?? 'nothing' }));

  const expected = await expectedBitmaps(db);
  const stored = await queryRows<{ communityId: string; month: string; organizationId: string; members: Buffer; minutes: number; entries: number }>(db, sql`
    select community_id as "communityId", month::text as month, organization_id as "organizationId", members, minutes, entries from volunteer_month_bitmaps`);
  const seen = new Set<string>();
  for (const row of stored) {
    const key = `${row.communityId}|${row.month}|${row.organizationId}`;
    seen.add(key);
    const want = expected.get(key) ?? { members: Buffer.alloc(0), minutes: 0, entries: 0 };
    const have = toBuffer(row.members);
    if (!sameBits(have, want.members) || Number(row.minutes) !== want.minutes || Number(row.entries) !== want.entries) {
      differences.push({
        table: 'volunteer_month_bitmaps', key,
        stored: `${describe(have)}, ${row.minutes} min / ${row.entries} entries`, expected: `${describe(want.members)}, ${want.minutes} min / ${want.entries} entries`,
      });
    }
  }
  for (const [key, want] of expected) {
    if (!seen.has(key)) differences.push({ table: 'volunteer_month_bitmaps', key, stored: 'missing', expected: `${describe(want.members)}, ${want.minutes} min / ${want.entries} entries` });
  }
  return differences;
}

function describe(bitmap: Buffer): string {
  let count = 0;
  for (const byte of bitmap) for (let b = byte; b; b &= b - 1) count += 1;
  return `${count} volunteers`;
}
