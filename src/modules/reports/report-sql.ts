import { sql, type SQL } from 'drizzle-orm';
import { array } from '../../db/raw.js';
import type { ReportScope } from './report-scope.js';

/** Approved, not voided entries of the scope: the only minutes that count. `alias` qualifies columns in joins. */
export function approvedEntries(scope: ReportScope, alias?: string): SQL {
  const c = (column: string): SQL => sql.raw(alias ? `${alias}.${column}` : column);
  return sql`${c('status')} = 'approved' and ${c('community_id')} = any(${array(scope.communityIds)}::uuid[])
    ${scope.from ? sql`and ${c('served_on')} >= ${scope.from}::date` : sql``}
    ${scope.to ? sql`and ${c('served_on')} <= ${scope.to}::date` : sql``}
    ${scope.organizationId ? sql`and ${c('organization_id')} = ${scope.organizationId}::uuid` : sql``}
    ${scope.categoryId ? sql`and ${c('category_id')} = ${scope.categoryId}::uuid` : sql``}`;
}

/** The rollup months a month-aligned scope covers. */
export function rollupMonths(scope: ReportScope): SQL {
  return sql`community_id = any(${array(scope.communityIds)}::uuid[])
    ${scope.from ? sql`and month >= ${scope.from}::date` : sql``}
    ${scope.to ? sql`and month <= ${scope.to}::date` : sql``}`;
}
