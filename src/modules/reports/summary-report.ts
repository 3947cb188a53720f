import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';
import { dateIn } from '../../lib/time.js';
import { hoursReport } from './hours-report.js';
import { hoursOf, type ReportScope } from './report-scope.js';

export interface Summary {
  volunteers: { registered: number; active: number };
  entries: number;
  minutes: number;
  hours: number;
  organizations: number;
  loveCards: { active: number };
  agreements: { active: number };
  averageHoursPerActiveVolunteer: number | null;
  registrationRate: number | null;
}

/**
 * `registered` counts volunteers who have not withdrawn (now, not in the range), or the
 * organization's current members when one organization is in scope; `active` those with approved
 * minutes in the range. `registrationRate` is registered / population over the communities whose
 * population is known, null when none is.
 */
export async function summaryReport(db: Executor, scope: ReportScope): Promise<Summary> {
  const ids = array(scope.communityIds);
  const { totals } = await hoursReport(db, scope, []);
  // Narrowed to one organization (always, for its coordinator), "registered" means its current
  // members; otherwise the communities' maintained counters, not a count over every volunteer.
  // One scan gives both the count and its part in communities of known population.
  const registered = scope.organizationId
    ? sql`select count(*) as registered, count(*) filter (where c.population is not null) as with_population
        from volunteers v join communities c on c.id = v.community_id
        where v.community_id = any(${ids}::uuid[]) and v.status <> 'withdrawn'
          and exists (select 1 from memberships m where m.community_id = v.community_id and m.volunteer_id = v.id
            and m.organization_id = ${scope.organizationId}::uuid and m.left_at is null)`
    : sql`select coalesce(sum(registered_volunteers), 0) as registered,
          coalesce(sum(registered_volunteers) filter (where population is not null), 0) as with_population
        from communities where id = any(${ids}::uuid[])`;
  const [counts] = await queryRows<{ registered: number; registeredWithPopulation: number; organizations: number; loveCards: number }>(db, sql`
    select
      r.registered::int as registered,
      r.with_population::int as "registeredWithPopulation",
      (select count(*) from organizations where community_id = any(${ids}::uuid[]) and archived_at is null
        ${scope.organizationId ? sql`and id = ${scope.organizationId}::uuid` : sql``})::int as organizations,
      (select count(*) from love_cards where community_id = any(${ids}::uuid[]) and status = 'active'
        ${scope.organizationId ? sql`and organization_id = ${scope.organizationId}::uuid` : sql``}
        ${scope.categoryId ? sql`and category_id = ${scope.categoryId}::uuid` : sql``})::int as "loveCards"
    from (${registered}) r`);
  const agreements = await activeAgreements(db, scope);
  const population = scope.communities.reduce((sum, c) => sum + (c.population ?? 0), 0);
  const anyPopulation = scope.communities.some((c) => c.population !== null && c.population > 0);
  return {
    volunteers: { registered: counts!.registered, active: totals.volunteers },
    entries: totals.entries,
    minutes: totals.minutes,
    hours: totals.hours,
    organizations: counts!.organizations,
    loveCards: { active: counts!.loveCards },
    agreements: { active: agreements },
    averageHoursPerActiveVolunteer: totals.volunteers > 0 ? hoursOf(totals.minutes / totals.volunteers) : null,
    registrationRate: anyPopulation ? Math.round((counts!.registeredWithPopulation / population) * 10_000) / 10_000 : null,
  };
}

/** Active = not terminated and not expired on each community's own today, as GET /v1/agreements says. */
async function activeAgreements(db: Executor, scope: ReportScope): Promise<number> {
  if (scope.communities.length === 0) return 0;
  const todays = scope.communities.map((c) => dateIn(c.timezone));
  const [row] = await queryRows<{ count: number }>(db, sql`
    select count(*)::int as count from agreements a
    join unnest(${array(scope.communityIds)}::uuid[], ${array(todays)}::date[]) as t(community_id, today) on t.community_id = a.community_id
    where a.terminated_at is null and (a.valid_until is null or a.valid_until >= t.today)
      ${scope.organizationId ? sql`and a.organization_id = ${scope.organizationId}::uuid` : sql``}`);
  return row!.count;
}
