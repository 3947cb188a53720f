import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';

export interface VolunteerRef { id: string; communityId: string; status: string }
export interface OrganizationRef { id: string; communityId: string; archived: boolean; approvalPolicy: 'manual' | 'auto'; timezone: string }
export interface CategoryRef { id: string; communityId: string }

/** Everything the ledger's rules need about the objects a set of entries names, in four queries. */
export interface References {
  volunteers: Map<string, VolunteerRef>;
  organizations: Map<string, OrganizationRef>;
  categories: Map<string, CategoryRef>;
  /** `${organizationId}:${volunteerId}` for current memberships. */
  memberships: Set<string>;
}

const uniq = (values: string[]): string[] => [...new Set(values)];

/** One round trip: each kind of reference comes back as a JSON array in one row. */
export async function loadReferences(db: Executor, items: ReadonlyArray<{ volunteerId: string; organizationId: string; categoryId: string }>): Promise<References> {
  const volunteerIds = array(uniq(items.map((i) => i.volunteerId)));
  const organizationIds = array(uniq(items.map((i) => i.organizationId)));
  const categoryIds = array(uniq(items.map((i) => i.categoryId)));
  const [row] = await queryRows<{ volunteers: VolunteerRef[] | null; organizations: OrganizationRef[] | null; categories: CategoryRef[] | null; memberships: Array<{ o: string; v: string }> | null }>(db, sql`
    select
      (select json_agg(json_build_object('id', id, 'communityId', community_id, 'status', status))
         from volunteers where id = any(${volunteerIds}::uuid[])) as volunteers,
      (select json_agg(json_build_object('id', o.id, 'communityId', o.community_id, 'archived', o.archived_at is not null,
           'approvalPolicy', o.approval_policy, 'timezone', c.timezone))
         from organizations o join communities c on c.id = o.community_id where o.id = any(${organizationIds}::uuid[])) as organizations,
      (select json_agg(json_build_object('id', id, 'communityId', community_id))
         from service_categories where id = any(${categoryIds}::uuid[])) as categories,
      (select json_agg(json_build_object('o', organization_id, 'v', volunteer_id))
         from memberships where volunteer_id = any(${volunteerIds}::uuid[]) and organization_id = any(${organizationIds}::uuid[]) and left_at is null) as memberships`);
  const parse = <T>(value: T[] | string | null | undefined): T[] => (typeof value === 'string' ? JSON.parse(value) as T[] : value ?? []);
  return {
    volunteers: new Map(parse(row?.volunteers).map((v) => [v.id, v])),
    organizations: new Map(parse(row?.organizations).map((o) => [o.id, o])),
    categories: new Map(parse(row?.categories).map((c) => [c.id, c])),
    memberships: new Set(parse(row?.memberships).map((m) => `${m.o}:${m.v}`)),
  };
}
