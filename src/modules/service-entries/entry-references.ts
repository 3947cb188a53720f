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

export async function loadReferences(db: Executor, items: ReadonlyArray<{ volunteerId: string; organizationId: string; categoryId: string }>): Promise<References> {
  const volunteerIds = uniq(items.map((i) => i.volunteerId));
  const organizationIds = uniq(items.map((i) => i.organizationId));
  const categoryIds = uniq(items.map((i) => i.categoryId));
  // One after another: a transaction is one connection, and pg queues rather than pipelines.
  const volunteers = await queryRows<VolunteerRef>(db, sql`select id, community_id as "communityId", status from volunteers where id = any(${array(volunteerIds)}::uuid[])`);
  const organizations = await queryRows<OrganizationRef>(db, sql`select o.id, o.community_id as "communityId", o.archived_at is not null as archived,
        o.approval_policy as "approvalPolicy", c.timezone
      from organizations o join communities c on c.id = o.community_id where o.id = any(${array(organizationIds)}::uuid[])`);
  const categories = await queryRows<CategoryRef>(db, sql`select id, community_id as "communityId" from service_categories where id = any(${array(categoryIds)}::uuid[])`);
  const memberships = await queryRows<{ organizationId: string; volunteerId: string }>(db, sql`select organization_id as "organizationId", volunteer_id as "volunteerId"
      from memberships where volunteer_id = any(${array(volunteerIds)}::uuid[]) and organization_id = any(${array(organizationIds)}::uuid[]) and left_at is null`);
  return {
    volunteers: new Map(volunteers.map((v) => [v.id, v])),
    organizations: new Map(organizations.map((o) => [o.id, o])),
    categories: new Map(categories.map((c) => [c.id, c])),
    memberships: new Set(memberships.map((m) => `${m.organizationId}:${m.volunteerId}`)),
  };
}
