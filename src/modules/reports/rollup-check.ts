import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import { countBits, sameBits, toBuffer } from '../../lib/bitmap.js';
import { expectedBitmaps, inCommunity } from './rollup-rebuild.js';

export interface RollupDifference {
  table: 'volunteer_month_bitmaps';
  key: string;
  stored: string;
  expected: string;
}

/**
 * Recomputes every rollup (or one community's) from the ledger and lists each cell where the
 * stored value differs. The ledger and the rollups are read in one snapshot (a repeatable-read
 * transaction): read one after the other, an approval committing in between showed as a
 * difference on a ledger in use.
 */
export async function checkRollups(db: Database, communityId?: string): Promise<RollupDifference[]> {
  return db.transaction((tx) => differencesIn(tx as unknown as Executor, communityId), { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

async function differencesIn(db: Executor, communityId: string | undefined): Promise<RollupDifference[]> {
  const differences: RollupDifference[] = [];
  const expected = await expectedBitmaps(db, communityId);
  const stored = await queryRows<{ communityId: string; month: string; organizationId: string; members: Buffer; minutes: number; entries: number }>(db, sql`
    select community_id as "communityId", month::text as month, organization_id as "organizationId", members, minutes, entries from volunteer_month_bitmaps
    where true ${inCommunity(sql`community_id`, communityId)}`);
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
