import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';
import { WHOLE_COMMUNITY } from '../../db/schema/index.js';
import { setBits, toBuffer } from '../../lib/bitmap.js';

export interface CountedEntry {
  communityId: string;
  organizationId: string;
  volunteerId: string;
  servedOn: string;
  minutes: number;
}

export const monthOf = (servedOn: string): string => `${servedOn.slice(0, 7)}-01`;

/**
 * Keeps the report rollups equal to the ledger: +1 when entries become approved, -1 when approved
 * entries are voided (after their status changed). Runs inside the transaction of that change.
 * `members` (volunteer id → member number) spares the lookup when the caller has read them.
 */
export async function applyToRollups(db: Executor, entries: readonly CountedEntry[], sign: 1 | -1, members?: ReadonlyMap<string, number>): Promise<void> {
  if (entries.length === 0) return;
  members ??= await memberNumbers(db, entries);
  const bit = (volunteerId: string) => members.get(volunteerId)!;
  // Each entry counts in its community's cell and its organization's cell of the month.
  const changes: CellChange[] = entries.flatMap((e) => {
    const month = monthOf(e.servedOn);
    const set = sign === 1 ? [bit(e.volunteerId)] : [];
    return [WHOLE_COMMUNITY, e.organizationId].map((organizationId) => ({
      communityId: e.communityId, month, organizationId, set, clear: [] as number[], minutes: sign * e.minutes, entries: sign,
    }));
  });
  if (sign === -1) {
    for (const g of await volunteersWithoutApprovedMinutes(db, entries)) {
      changes.push({ communityId: g.communityId, month: g.month, organizationId: g.organizationId, set: [], clear: [bit(g.volunteerId)], minutes: 0, entries: 0 });
    }
  }
  await updateCells(db, changes);
}

interface CellChange {
  communityId: string;
  month: string;
  organizationId: string;
  set: number[];
  clear: number[];
  minutes: number;
  entries: number;
}

async function memberNumbers(db: Executor, entries: readonly CountedEntry[]): Promise<Map<string, number>> {
  const ids = [...new Set(entries.map((e) => e.volunteerId))];
  const rows = await queryRows<{ id: string; memberNo: number }>(db, sql`select id, member_no as "memberNo" from volunteers where id = any(${array(ids)}::uuid[])`);
  return new Map(rows.map((r) => [r.id, r.memberNo]));
}

/** After a void: the (community or organization) months in which the volunteer has no approved entry left. */
async function volunteersWithoutApprovedMinutes(db: Executor, entries: readonly CountedEntry[]) {
  const keys = [...new Map(entries.flatMap((e) => [
    [`${e.volunteerId}|${monthOf(e.servedOn)}|*`, { ...e, organizationId: WHOLE_COMMUNITY }],
    [`${e.volunteerId}|${monthOf(e.servedOn)}|${e.organizationId}`, e],
  ] as const)).values()];
  return queryRows<{ volunteerId: string; communityId: string; organizationId: string; month: string }>(db, sql`
    select k.volunteer_id as "volunteerId", k.community_id as "communityId", k.organization_id as "organizationId", k.month::text as month
    from unnest(${array(keys.map((k) => k.volunteerId))}::uuid[], ${array(keys.map((k) => k.communityId))}::uuid[],
                ${array(keys.map((k) => k.organizationId))}::uuid[], ${array(keys.map((k) => monthOf(k.servedOn)))}::date[])
      as k(volunteer_id, community_id, organization_id, month)
    where not exists (
      select 1 from service_entries e
      where e.volunteer_id = k.volunteer_id and e.status = 'approved'
        and e.served_on >= k.month and e.served_on < (k.month + interval '1 month')::date
        and (k.organization_id = ${WHOLE_COMMUNITY}::uuid or e.organization_id = k.organization_id))`);
}

/** Applies cell changes: bits set or cleared and minutes/entries added, locking cells in one order. */
async function updateCells(db: Executor, changes: readonly CellChange[]): Promise<void> {
  if (changes.length === 0) return;
  const cells = new Map<string, CellChange>();
  for (const c of changes) {
    const key = `${c.communityId}|${c.month}|${c.organizationId}`;
    const cell = cells.get(key);
    if (!cell) cells.set(key, { ...c, set: [...c.set], clear: [...c.clear] });
    else {
      cell.set.push(...c.set);
      cell.clear.push(...c.clear);
      cell.minutes += c.minutes;
      cell.entries += c.entries;
    }
  }
  const sorted = [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
  // Every cell must exist before it is locked: `for update` cannot lock a row that is not there, so
  // two first approvals of a month would each write a bitmap holding only their own bit (the
  // minutes add up, the members do not). A concurrent insert makes this one wait for its commit;
  // the select below then sees and locks that row. test/reports/rollups-consistency proves it.
  await db.execute(sql`
    insert into volunteer_month_bitmaps (community_id, month, organization_id, members)
    select k.community_id, k.month, k.organization_id, ''::bytea
    from unnest(${array(sorted.map((g) => g.communityId))}::uuid[], ${array(sorted.map((g) => g.month))}::date[],
                ${array(sorted.map((g) => g.organizationId))}::uuid[]) as k(community_id, month, organization_id)
    order by k.community_id, k.month, k.organization_id
    on conflict (community_id, month, organization_id) do nothing`);
  const current = await queryRows<{ communityId: string; month: string; organizationId: string; members: Buffer }>(db, sql`
    select b.community_id as "communityId", b.month::text as month, b.organization_id as "organizationId", b.members
    from volunteer_month_bitmaps b
    join unnest(${array(sorted.map((g) => g.communityId))}::uuid[], ${array(sorted.map((g) => g.month))}::date[],
                ${array(sorted.map((g) => g.organizationId))}::uuid[]) as k(community_id, month, organization_id)
      on b.community_id = k.community_id and b.month = k.month and b.organization_id = k.organization_id
    order by b.community_id, b.month, b.organization_id
    for update of b`);
  const existing = new Map(current.map((r) => [`${r.communityId}|${r.month}|${r.organizationId}`, toBuffer(r.members)]));
  const next = sorted.map((g) => setBits(setBits(existing.get(`${g.communityId}|${g.month}|${g.organizationId}`), g.set, true), g.clear, false));
  await db.execute(sql`
    insert into volunteer_month_bitmaps (community_id, month, organization_id, members, minutes, entries)
    select * from unnest(${array(sorted.map((g) => g.communityId))}::uuid[], ${array(sorted.map((g) => g.month))}::date[],
                         ${array(sorted.map((g) => g.organizationId))}::uuid[], ${array(next)}::bytea[],
                         ${array(sorted.map((g) => g.minutes))}::bigint[], ${array(sorted.map((g) => g.entries))}::int[])
    on conflict (community_id, month, organization_id) do update set members = excluded.members,
      minutes = volunteer_month_bitmaps.minutes + excluded.minutes, entries = volunteer_month_bitmaps.entries + excluded.entries`);
}
