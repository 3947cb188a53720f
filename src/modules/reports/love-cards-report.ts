import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';
import { figures, type Figures } from './hours-report.js';
import type { ReportScope } from './report-scope.js';
import { approvedEntries } from './report-sql.js';

export interface LoveCardRow extends Figures {
  categoryId: string;
  communityId: string;
  code: string;
  name: string;
  claims: Array<{ organizationId: string; organizationName: string; claimedOn: string }>;
}

/**
 * One row per category of the scope's communities: who holds an active claim on it, and the
 * approved service those units gave in that category in the range.
 */
export async function loveCardsReport(db: Executor, scope: ReportScope): Promise<{ rows: LoveCardRow[] }> {
  if (scope.communityIds.length === 0) return { rows: [] };
  const ids = array(scope.communityIds);
  const categories = await queryRows<{ id: string; communityId: string; code: string; name: string }>(db, sql`
    select id, community_id as "communityId", code, name from service_categories
    where community_id = any(${ids}::uuid[]) ${scope.categoryId ? sql`and id = ${scope.categoryId}::uuid` : sql``}
    order by community_id, code`);
  const claims = await queryRows<{ categoryId: string; organizationId: string; organizationName: string; claimedOn: string }>(db, sql`
    select l.category_id as "categoryId", l.organization_id as "organizationId", o.name as "organizationName", l.claimed_on::text as "claimedOn"
    from love_cards l join organizations o on o.id = l.organization_id
    where l.community_id = any(${ids}::uuid[]) and l.status = 'active'
      ${scope.organizationId ? sql`and l.organization_id = ${scope.organizationId}::uuid` : sql``}
    order by l.claimed_on, o.name`);
  const served = await queryRows<{ categoryId: string; minutes: number; entries: number; volunteers: number }>(db, sql`
    select e.category_id as "categoryId", sum(e.minutes)::bigint as minutes, count(*)::int as entries, count(distinct e.volunteer_id)::int as volunteers
    from service_entries e
    join love_cards l on l.organization_id = e.organization_id and l.category_id = e.category_id and l.status = 'active'
    where ${approvedEntries(scope, 'e')}
    group by e.category_id`);
  const servedBy = new Map(served.map((s) => [s.categoryId, s]));
  return {
    rows: categories.map((c) => {
      const s = servedBy.get(c.id);
      return {
        categoryId: c.id, communityId: c.communityId, code: c.code, name: c.name,
        claims: claims.filter((claim) => claim.categoryId === c.id).map(({ categoryId: _c, ...claim }) => claim),
        ...figures(Number(s?.minutes ?? 0), Number(s?.entries ?? 0), Number(s?.volunteers ?? 0)),
      };
    }),
  };
}
