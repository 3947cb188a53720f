import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { issueKey } from '../src/modules/api-keys/api-key-service.js';

export interface BenchTenant {
  adminKey: string;
  communityAdminKey: string;
  coordinatorKey: string;
  communityId: string;
  organizationId: string;
  categoryIds: string[];
  volunteerIds: string[];
}

async function post(app: FastifyInstance, key: string, url: string, body: unknown): Promise<any> {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload: body as object });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A community with one organization, `volunteers` enrolled members, and keys; built through the API, members in bulk. */
export async function createBenchTenant(app: FastifyInstance, volunteers: number): Promise<BenchTenant> {
  const { secret: adminKey } = await issueKey(app.db, { name: 'bench admin', role: 'admin' });
  const community = await post(app, adminKey, '/v1/communities', { name: `bench-${Date.now()}` });
  const organization = await post(app, adminKey, '/v1/organizations', { communityId: community.id, name: 'bench team', kind: 'volunteer_team' });
  const communityAdminKey = (await post(app, adminKey, '/v1/api-keys', { name: 'bench ca', role: 'community_admin', communityId: community.id })).secret;
  const coordinatorKey = (await post(app, adminKey, '/v1/api-keys', { name: 'bench co', role: 'coordinator', organizationId: organization.id })).secret;
  const categories = await app.inject({ method: 'GET', url: `/v1/service-categories?communityId=${community.id}&limit=100`, headers: { authorization: `Bearer ${adminKey}` } });
  // Volunteers and memberships in bulk: the benchmark measures the ledger, not registration.
  const rows = await app.db.execute(sql`
    with v as (
      insert into volunteers (id, community_id, member_no, name, phone)
      select gen_random_uuid(), ${community.id}::uuid, n, 'bench ' || n, '13' || lpad(((extract(epoch from now())::bigint % 1000) * 1000000 + n)::text, 9, '0')
      from generate_series(1, ${volunteers}) n
      returning id
    ), m as (
      insert into memberships (id, community_id, organization_id, volunteer_id)
      select gen_random_uuid(), ${community.id}::uuid, ${organization.id}::uuid, v.id from v
    )
    select id from v`);
  await app.db.execute(sql`update communities set volunteer_seq = ${volunteers}, registered_volunteers = ${volunteers} where id = ${community.id}::uuid`);
  return {
    adminKey, communityAdminKey, coordinatorKey,
    communityId: community.id, organizationId: organization.id,
    categoryIds: categories.json().data.map((c: { id: string }) => c.id),
    volunteerIds: (rows as unknown as { rows: { id: string }[] }).rows.map((r) => r.id),
  };
}

/** Day `offset` days before today, as YYYY-MM-DD (UTC is fine: far enough from "the future"). */
export function daysAgo(offset: number): string {
  return new Date(Date.now() - (offset + 1) * 86_400_000).toISOString().slice(0, 10);
}
