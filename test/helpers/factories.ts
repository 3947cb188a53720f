import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { call } from './test-app.js';

const unique = (): string => randomBytes(4).toString('hex');

/** A region code nobody else in the run uses, so region-scoped tests never see each other. */
export function uniqueRegionCode(prefix = '61'): string {
  const digits = BigInt(`0x${randomBytes(6).toString('hex')}`).toString().padStart(12, '0');
  return (prefix + digits).slice(0, 12);
}

export async function createCommunity(app: FastifyInstance, key: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', '/v1/communities', { name: `社区-${unique()}`, regionCode: uniqueRegionCode(), ...body });
  if (res.statusCode !== 201) throw new Error(`createCommunity: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function createOrganization(app: FastifyInstance, key: string, communityId: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', '/v1/organizations', { communityId, name: `组织-${unique()}`, kind: 'volunteer_team', ...body });
  if (res.statusCode !== 201) throw new Error(`createOrganization: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** An API key and its id (the id is what provenance fields carry). */
export async function createKeyWithId(app: FastifyInstance, adminKey: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await call(app, adminKey, 'POST', '/v1/api-keys', { name: `key-${unique()}`, ...body });
  if (res.statusCode !== 201) throw new Error(`createKey: ${res.statusCode} ${res.body}`);
  return { id: res.json().id, secret: res.json().secret };
}

export async function createKey(app: FastifyInstance, adminKey: string, body: Record<string, unknown>): Promise<string> {
  return (await createKeyWithId(app, adminKey, body)).secret;
}

/** The audit events of one entity, as the admin lists them. */
export async function auditEventsOf(app: FastifyInstance, adminKey: string, entityId: string): Promise<Array<Record<string, any>>> {
  const res = await call(app, adminKey, 'GET', `/v1/audit-events?entityId=${entityId}`);
  expect(res.statusCode).toBe(200);
  return res.json().data;
}

/** A community with one organization and a key of every role scoped to it. */
export async function createTenant(app: FastifyInstance, adminKey: string) {
  const community = await createCommunity(app, adminKey);
  const organization = await createOrganization(app, adminKey, community.id);
  const communityAdminKey = await createKey(app, adminKey, { role: 'community_admin', communityId: community.id });
  const coordinatorKey = await createKey(app, adminKey, { role: 'coordinator', organizationId: organization.id });
  const reporterKey = await createKey(app, adminKey, { role: 'reporter', communityId: community.id });
  return { community, organization, communityAdminKey, coordinatorKey, reporterKey };
}

/** A mainland mobile number nobody else in the run is likely to hold: 139 and eight random digits. */
export function uniquePhone(): string {
  return `139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
}

/** Registers a volunteer (with a fresh phone unless one is given) and returns the response body. */
export async function createVolunteer(app: FastifyInstance, key: string, communityId: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', '/v1/volunteers', { communityId, name: `志愿者-${unique()}`, phone: uniquePhone(), ...body });
  if (res.statusCode !== 201) throw new Error(`createVolunteer: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A tenant plus one active volunteer enrolled in its organization and the community's categories by code. */
export async function createLedgerTenant(app: FastifyInstance, adminKey: string, organizationBody: Record<string, unknown> = {}) {
  const tenant = await createTenant(app, adminKey);
  if (Object.keys(organizationBody).length > 0) {
    const patched = await call(app, adminKey, 'PATCH', `/v1/organizations/${tenant.organization.id}`, organizationBody);
    if (patched.statusCode !== 200) throw new Error(`patch organization: ${patched.statusCode} ${patched.body}`);
  }
  const volunteer = await registerMember(app, tenant.communityAdminKey, tenant.community.id, tenant.organization.id);
  const categories = await call(app, adminKey, 'GET', `/v1/service-categories?communityId=${tenant.community.id}&limit=100`);
  const categoryByCode = Object.fromEntries(categories.json().data.map((c: { code: string; id: string }) => [c.code, c.id])) as Record<string, string>;
  return { ...tenant, volunteer, categoryByCode };
}

export async function registerMember(app: FastifyInstance, key: string, communityId: string, organizationId: string): Promise<Record<string, any>> {
  const volunteer = await createVolunteer(app, key, communityId);
  const joined = await call(app, key, 'POST', `/v1/organizations/${organizationId}/members`, { volunteerId: volunteer.id });
  if (joined.statusCode !== 201) throw new Error(`join: ${joined.statusCode} ${joined.body}`);
  return volunteer;
}
