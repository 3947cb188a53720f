import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import { figures, type Figures } from './hours-report.js';
import type { ReportScope } from './report-scope.js';
import { approvedEntries } from './report-sql.js';

export interface PartyMemberRow extends Figures {
  workplaceOrganizationId: string | null;
  workplaceOrganizationName: string | null;
}

/**
 * Approved hours of in-service party members, one row per workplace: what the community sends
 * back to each employer every quarter ("double reporting"). Members without a workplace share a row.
 */
export async function partyMembersReport(db: Executor, scope: ReportScope): Promise<{ rows: PartyMemberRow[]; totals: Figures }> {
  if (scope.communityIds.length === 0) return { rows: [], totals: figures(0, 0, 0) };
  const rows = await queryRows<{ workplaceOrganizationId: string | null; workplaceOrganizationName: string | null; minutes: number; entries: number; volunteers: number }>(db, sql`
    select v.workplace_organization_id as "workplaceOrganizationId", o.name as "workplaceOrganizationName",
      sum(e.minutes)::bigint as minutes, count(*)::int as entries, count(distinct e.volunteer_id)::int as volunteers
    from service_entries e join volunteers v on v.id = e.volunteer_id left join organizations o on o.id = v.workplace_organization_id
    where v.in_service_party_member and ${approvedEntries(scope, 'e')}
    group by v.workplace_organization_id, o.name order by o.name nulls last`);
  // A volunteer has one workplace, so the rows split the volunteers: their sums are the totals, distinct count included.
  const sum = (pick: (r: typeof rows[number]) => number) => rows.reduce((total, r) => total + Number(pick(r)), 0);
  return {
    rows: rows.map((r) => ({
      workplaceOrganizationId: r.workplaceOrganizationId,
      workplaceOrganizationName: r.workplaceOrganizationName,
      ...figures(Number(r.minutes), Number(r.entries), Number(r.volunteers)),
    })),
    totals: figures(sum((r) => r.minutes), sum((r) => r.entries), sum((r) => r.volunteers)),
  };
}
