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

export async function createKey(app: FastifyInstance, adminKey: string, body: Record<string, unknown>): Promise<string> {
  const res = await call(app, adminKey, 'POST', '/v1/api-keys', { name: `key-${unique()}`, ...body });
  if (res.statusCode !== 201) throw new Error(`createKey: ${res.statusCode} ${res.body}`);
  return res.json().secret as string;
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
