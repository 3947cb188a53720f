import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import { hoursOf } from './report-scope.js';

export interface ServiceRecord {
  volunteer: { id: string; volunteerCode: string; name: string; communityId: string };
  minutes: number;
  hours: number;
  entries: number;
  starLevel: number;
  starThresholds: number[];
  byCategory: Array<{ categoryId: string; code: string; name: string; minutes: number; hours: number; entries: number }>;
  byOrganization: Array<{ organizationId: string; name: string; minutes: number; hours: number; entries: number }>;
}

/** Stars by cumulative approved hours: one for each threshold reached. */
export function starLevel(hours: number, thresholds: readonly number[]): number {
  return thresholds.filter((threshold) => hours >= threshold).length;
}

/** A volunteer's certified record: approved minutes only, all time, by category and organization. */
export async function serviceRecord(db: Executor, volunteer: { id: string; volunteerCode: string; name: string; communityId: string }, thresholds: number[]): Promise<ServiceRecord> {
  const byCategory = await queryRows<{ categoryId: string; code: string; name: string; minutes: number; entries: number }>(db, sql`
    select e.category_id as "categoryId", c.code, c.name, sum(e.minutes)::bigint as minutes, count(*)::int as entries
    from service_entries e join service_categories c on c.id = e.category_id
    where e.volunteer_id = ${volunteer.id}::uuid and e.status = 'approved'
    group by e.category_id, c.code, c.name order by c.code`);
  const byOrganization = await queryRows<{ organizationId: string; name: string; minutes: number; entries: number }>(db, sql`
    select e.organization_id as "organizationId", o.name, sum(e.minutes)::bigint as minutes, count(*)::int as entries
    from service_entries e join organizations o on o.id = e.organization_id
    where e.volunteer_id = ${volunteer.id}::uuid and e.status = 'approved'
    group by e.organization_id, o.name order by o.name`);
  const minutes = byCategory.reduce((sum, c) => sum + Number(c.minutes), 0);
  const entries = byCategory.reduce((sum, c) => sum + Number(c.entries), 0);
  const hours = hoursOf(minutes);
  return {
    volunteer,
    minutes,
    hours,
    entries,
    starLevel: starLevel(minutes / 60, thresholds),
    starThresholds: thresholds,
    byCategory: byCategory.map((c) => ({ ...c, minutes: Number(c.minutes), hours: hoursOf(Number(c.minutes)), entries: Number(c.entries) })),
    byOrganization: byOrganization.map((o) => ({ ...o, minutes: Number(o.minutes), hours: hoursOf(Number(o.minutes)), entries: Number(o.entries) })),
  };
}
