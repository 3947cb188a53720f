import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
import type { RequestContext } from '../../lib/context.js';
import { invalidField, notFound } from '../../lib/errors.js';
import { seesCommunity } from '../../lib/scope.js';
import { findOrganization } from '../organizations/organization-repository.js';
import { findCategory } from '../service-categories/category-repository.js';

export interface ReportFilters {
  communityId?: string | undefined;
  regionCode?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  organizationId?: string | undefined;
  categoryId?: string | undefined;
}

export interface ScopeCommunity {
  id: string;
  name: string;
  regionCode: string | null;
  timezone: string;
  population: number | null;
}

/** The communities a report covers, with the filters that narrow it further, all already checked against the key. */
export interface ReportScope {
  communities: ScopeCommunity[];
  communityIds: string[];
  from: string | undefined;
  to: string | undefined;
  organizationId: string | undefined;
  categoryId: string | undefined;
}

/** Longest report range: ten years keeps every query bounded. */
const MAX_RANGE_DAYS = 3660;

/**
 * Resolves `communityId` / `regionCode` / the key's own scope into a list of communities.
 * Coordinators are pinned to their organization; anything outside the key's scope is a 404.
 */
export async function resolveScope(db: Executor, ctx: RequestContext, filters: ReportFilters): Promise<ReportScope> {
  const { actor } = ctx;
  if (filters.from && filters.to && filters.from > filters.to) throw invalidField('to', 'must not be before from');
  if (filters.from && filters.to && (Date.parse(filters.to) - Date.parse(filters.from)) / 86_400_000 > MAX_RANGE_DAYS) {
    throw invalidField('to', `the range may span at most ${MAX_RANGE_DAYS} days`);
  }
  let communities = await queryRows<ScopeCommunity>(db, sql`
    select id, name, region_code as "regionCode", timezone, population from communities
    where true
      ${filters.communityId ? sql`and id = ${filters.communityId}::uuid` : sql``}
      ${filters.regionCode ? sql`and region_code like ${`${filters.regionCode}%`}` : sql``}
      ${actor.communityId ? sql`and id = ${actor.communityId}::uuid` : sql``}
      ${actor.role === 'reporter' && actor.regionCode ? sql`and region_code like ${`${actor.regionCode}%`}` : sql``}
    order by id`);
  communities = communities.filter((c) => seesCommunity(actor, c));
  if (filters.communityId && communities.length === 0) throw notFound('Community');

  let organizationId = filters.organizationId;
  if (actor.role === 'coordinator') {
    if (organizationId && organizationId !== actor.organizationId) throw notFound('Organization');
    organizationId = actor.organizationId ?? undefined;
  } else if (organizationId) {
    const organization = await findOrganization(db, organizationId);
    if (!organization || !communities.some((c) => c.id === organization.communityId)) throw notFound('Organization');
  }
  if (filters.categoryId) {
    const category = await findCategory(db, filters.categoryId);
    if (!category || !communities.some((c) => c.id === category.communityId)) throw notFound('Service category');
  }
  return { communities, communityIds: communities.map((c) => c.id), from: filters.from, to: filters.to, organizationId, categoryId: filters.categoryId };
}

/** Whether the range covers whole months only (or is open), so monthly rollups answer it exactly. */
export function monthAligned(scope: Pick<ReportScope, 'from' | 'to'>): boolean {
  const fromOk = !scope.from || scope.from.endsWith('-01');
  if (!scope.to) return fromOk;
  const next = new Date(`${scope.to}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return fromOk && next.getUTCDate() === 1;
}

/** minutes / 60 to two decimals; minutes * 100 / 60 = minutes * 5 / 3 never lands on a tie. */
export const hoursOf = (minutes: number): number => Math.round((minutes * 100) / 60) / 100;
