import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import { countBits, sameBits, toBuffer } from '../../lib/bitmap.js';
import { expectedBitmaps } from './rollup-rebuild.js';

export interface RollupDifference {
  table: 'volunteer_month_bitmaps';
  key: string;
  stored: string;
  expected: string;
}

/** Recomputes every rollup from the ledger and lists each cell where the stored value differs. */
export async function checkRollups(db: Executor): Promise<RollupDifference[]> {
  const differences: RollupDifference[] = [];
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

const describe = (bitmap: Buffer): string => `${countBits(bitmap)} volunteers`;
