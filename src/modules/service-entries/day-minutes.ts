import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows, type Slots } from '../../db/raw.js';

export const DAY_CAP_MINUTES = 1440;

export interface DayDelta {
  communityId: string;
  volunteerId: string;
  servedOn: string;
  minutes: number;
}

/** Ids compare lowercased, as PostgreSQL prints them (validation lowercases a client's; this keeps any other caller right). */
export const dayKey = (volunteerId: string, servedOn: string): string => `${volunteerId.toLowerCase()}|${servedOn}`;

/** Sums deltas per volunteer-day, sorted so that every transaction locks rows in the same order. */
export function groupByDay<T extends Pick<DayDelta, 'volunteerId' | 'servedOn' | 'minutes'>>(deltas: readonly T[]): T[] {
  const sums = new Map<string, T>();
  for (const d of deltas) {
    const key = dayKey(d.volunteerId, d.servedOn);
    const current = sums.get(key);
    if (current) current.minutes += d.minutes;
    else sums.set(key, { ...d });
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

/**
 * Locks the volunteer-days (creating a zero row for a day not yet counted) and returns their
 * counted minutes. Concurrent writers for the same volunteer-day wait here, so the cap check that
 * follows sees the committed total, even for the first entry of a day: locking only the rows that
 * already existed let two first entries both read 0 and left the loser to the CHECK, which could
 * not say which field broke the rule. A zero row left by a rolled-back write goes with it.
 */
export async function lockDays(db: Executor, days: readonly DayDelta[]): Promise<Map<string, number>> {
  if (days.length === 0) return new Map();
  const sorted = groupByDay(days.map((d) => ({ ...d, minutes: 0 })));
  await queryRows(db, sql`
    insert into volunteer_day_minutes (community_id, volunteer_id, served_on, minutes)
    select community_id, volunteer_id, served_on, 0
    from unnest(${array(sorted.map((d) => d.communityId))}::uuid[], ${array(sorted.map((d) => d.volunteerId))}::uuid[],
                ${array(sorted.map((d) => d.servedOn))}::date[]) with ordinality as k(community_id, volunteer_id, served_on, position)
    order by position
    on conflict (volunteer_id, served_on) do nothing`, 'day_minutes_create');
  return lockedMinutes(db, sorted);
}

/** One volunteer-day a new entry (or batch) adds to; the organization tells its community. */
export type DayClaim = Pick<DayDelta, 'volunteerId' | 'servedOn' | 'minutes'> & { organizationId: string };

/** What `addWithinCap` binds: the days as `groupByDay` returns them (one per volunteer-day, in lock order). */
export interface DayClaimValues {
  dayVolunteers: string[];
  dayOrganizations: string[];
  dayDates: string[];
  dayMinutes: number[];
}

/** A day whose own minutes exceed the cap is sent as 0, so a new row never trips the CHECK before the caller can name the field. */
export const dayClaimValues = (sorted: readonly DayClaim[]): DayClaimValues => ({
  dayVolunteers: sorted.map((d) => d.volunteerId),
  dayOrganizations: sorted.map((d) => d.organizationId),
  dayDates: sorted.map((d) => d.servedOn),
  dayMinutes: sorted.map((d) => (d.minutes > DAY_CAP_MINUTES ? 0 : d.minutes)),
});

/**
 * A sub-statement that adds each day's minutes (see `dayClaimValues`) where the day stays within
 * the cap, and returns the days it added to with their new totals. Every day it touches ends up
 * locked by this transaction, added to or not (ON CONFLICT DO UPDATE locks the row even when its
 * WHERE says no), so concurrent writers for a volunteer-day queue here and each sees the committed
 * total: it replaces a create / lock / add sequence of three round trips on the ledger's hottest path.
 */
export function addWithinCap(v: Slots<DayClaimValues>): SQL {
  return sql`insert into volunteer_day_minutes (community_id, volunteer_id, served_on, minutes)
    select o.community_id, k.volunteer_id, k.served_on, k.minutes
    from unnest(${v.dayVolunteers}::uuid[], ${v.dayOrganizations}::uuid[], ${v.dayDates}::date[], ${v.dayMinutes}::int[])
           with ordinality as k(volunteer_id, organization_id, served_on, minutes, position)
    join organizations o on o.id = k.organization_id
    order by k.position
    on conflict (volunteer_id, served_on) do update set minutes = volunteer_day_minutes.minutes + excluded.minutes
      where volunteer_day_minutes.minutes + excluded.minutes <= ${DAY_CAP_MINUTES}
    returning volunteer_id, served_on, minutes`;
}

/**
 * Locks existing volunteer-days in key order and returns their counted minutes (a day this
 * transaction already holds, e.g. one `addWithinCap` refused, is read without waiting).
 */
export async function lockedMinutes(db: Executor, days: ReadonlyArray<Pick<DayDelta, 'volunteerId' | 'servedOn'>>): Promise<Map<string, number>> {
  if (days.length === 0) return new Map();
  const rows = await queryRows<{ volunteerId: string; servedOn: string; minutes: number }>(db, sql`
    select d.volunteer_id as "volunteerId", d.served_on::text as "servedOn", d.minutes
    from volunteer_day_minutes d
    join unnest(${array(days.map((d) => d.volunteerId))}::uuid[], ${array(days.map((d) => d.servedOn))}::date[]) as k(volunteer_id, served_on)
      on d.volunteer_id = k.volunteer_id and d.served_on = k.served_on
    order by d.volunteer_id, d.served_on
    for update of d`, 'day_minutes_lock');
  return new Map(rows.map((r) => [dayKey(r.volunteerId, r.servedOn), r.minutes]));
}

export function countedMinutes(locked: Map<string, number>, volunteerId: string, servedOn: string): number {
  return locked.get(dayKey(volunteerId, servedOn)) ?? 0;
}

/**
 * Adds (or with negative minutes, removes) counted minutes; the table's CHECK refuses any day over
 * 1440. Removals are plain updates: an upsert would test the CHECK on its negative candidate row.
 */
export async function addDayMinutes(db: Executor, deltas: readonly DayDelta[]): Promise<void> {
  const days = groupByDay(deltas);
  const removals = days.filter((d) => d.minutes < 0);
  const additions = days.filter((d) => d.minutes > 0);
  if (removals.length > 0) {
    await queryRows(db, sql`
      update volunteer_day_minutes d set minutes = d.minutes + k.minutes
      from unnest(${array(removals.map((d) => d.volunteerId))}::uuid[], ${array(removals.map((d) => d.servedOn))}::date[],
                  ${array(removals.map((d) => d.minutes))}::int[]) as k(volunteer_id, served_on, minutes)
      where d.volunteer_id = k.volunteer_id and d.served_on = k.served_on`, 'day_minutes_remove');
  }
  if (additions.length > 0) {
    await queryRows(db, sql`
      insert into volunteer_day_minutes (community_id, volunteer_id, served_on, minutes)
      select * from unnest(${array(additions.map((d) => d.communityId))}::uuid[], ${array(additions.map((d) => d.volunteerId))}::uuid[],
                           ${array(additions.map((d) => d.servedOn))}::date[], ${array(additions.map((d) => d.minutes))}::int[])
      on conflict (volunteer_id, served_on) do update set minutes = volunteer_day_minutes.minutes + excluded.minutes`, 'day_minutes_add');
  }
}
