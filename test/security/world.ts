import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/plugins/auth/actor.js';
import { createTenant, createVolunteer, registerMember, uniqueRegionCode } from '../helpers/factories.js';
import { call, type Response } from '../helpers/test-app.js';

/** A well-formed UUIDv7 that names nothing. */
export const MISSING = '01900000-0000-7000-8000-000000000000';
/** Well in the past in every timezone, so `servedOn` and `signedOn` rules hold. */
export const PAST = '2025-06-02';
export const unique = (): string => randomBytes(4).toString('hex');

/** Creates a new object of the tenant (with the admin key), for calls that change or use up what they touch. */
export interface Fresh {
  organization(): Promise<string>;
  volunteer(member: boolean): Promise<string>;
  entry(status: 'pending' | 'approved'): Promise<string>;
  agreement(): Promise<string>;
  category(): Promise<string>;
  loveCard(): Promise<string>;
  apiKey(): Promise<string>;
}

/**
 * One tenant with one of everything, all in the organization its coordinator key is bound to; or,
 * as `phantom`, well-formed ids that name nothing.
 */
export interface World {
  name: 'own' | 'foreign' | 'phantom' | string;
  communityId: string;
  regionCode: string;
  organizationId: string;
  /** An active member of the organization. */
  volunteerId: string;
  categoryId: string;
  /** A pending entry of that volunteer. */
  entryId: string;
  agreementId: string;
  loveCardId: string;
  /** A reporter key of the community (not one of `keys`), safe to look at. */
  apiKeyId: string;
  keys: Record<Role, string>;
  fresh: Fresh;
}

async function ok(res: Response | Promise<Response>, what: string): Promise<Record<string, any>> {
  const r = await res;
  if (r.statusCode >= 300) throw new Error(`${what}: ${r.statusCode} ${r.body}`);
  return r.statusCode === 204 ? {} : r.json();
}

/** A new tenant with a key of every role; or, `within` one, a second organization of its community and the same keys. */
async function tenantOf(app: FastifyInstance, adminKey: string, within?: World) {
  if (within) {
    const organization = await ok(call(app, adminKey, 'POST', '/v1/organizations', { communityId: within.communityId, name: `组织-${unique()}`, kind: 'enterprise' }), 'organization');
    return { communityId: within.communityId, regionCode: within.regionCode, organizationId: organization.id as string, keys: within.keys };
  }
  const tenant = await createTenant(app, adminKey);
  const keys: Record<Role, string> = { admin: adminKey, community_admin: tenant.communityAdminKey, coordinator: tenant.coordinatorKey, reporter: tenant.reporterKey };
  return { communityId: tenant.community.id as string, regionCode: tenant.community.regionCode as string, organizationId: tenant.organization.id as string, keys };
}

/**
 * A tenant with one of everything in the organization its coordinator key is bound to; or, `within`
 * an existing tenant, the same in a second organization of its community (whose coordinator is then
 * not this organization's).
 */
export async function buildWorld(app: FastifyInstance, adminKey: string, name: string, within?: World): Promise<World> {
  const { communityId, regionCode, organizationId, keys } = await tenantOf(app, adminKey, within);
  const volunteer = await registerMember(app, adminKey, communityId, organizationId);
  const categories = await ok(call(app, adminKey, 'GET', `/v1/service-categories?communityId=${communityId}&limit=100`), 'categories');
  const byCode = Object.fromEntries(categories.data.map((c: { code: string; id: string }) => [c.code, c.id])) as Record<string, string>;
  const categoryId = byCode.environment_health!;

  const fresh: Fresh = {
    organization: async () => (await ok(call(app, adminKey, 'POST', '/v1/organizations', { communityId, name: `组织-${unique()}`, kind: 'volunteer_team' }), 'organization')).id,
    volunteer: async (member) => (member
      ? await registerMember(app, adminKey, communityId, organizationId)
      : await createVolunteer(app, adminKey, communityId)).id as string,
    entry: async (status) => {
      const entry = await ok(call(app, adminKey, 'POST', '/v1/service-entries', { volunteerId: volunteer.id, organizationId, categoryId, servedOn: PAST, minutes: 1 }), 'entry');
      if (status === 'approved') await ok(call(app, adminKey, 'POST', `/v1/service-entries/${entry.id}/approve`), 'approve');
      return entry.id;
    },
    agreement: async () => (await ok(call(app, adminKey, 'POST', '/v1/agreements', { communityId, organizationId, title: '共驻共建协议书', signedOn: PAST }), 'agreement')).id,
    category: async () => (await ok(call(app, adminKey, 'POST', '/v1/service-categories', { communityId, code: `c_${unique()}`, name: '防汛巡查' }), 'category')).id,
    loveCard: async () => (await ok(call(app, adminKey, 'POST', '/v1/love-cards', { organizationId, categoryId: await fresh.category() }), 'love card')).id,
    apiKey: async () => (await ok(call(app, adminKey, 'POST', '/v1/api-keys', { name: `key-${unique()}`, role: 'reporter', communityId }), 'api key')).id,
  };

  return {
    name,
    communityId,
    regionCode,
    organizationId,
    volunteerId: volunteer.id,
    categoryId,
    entryId: await fresh.entry('pending'),
    agreementId: await fresh.agreement(),
    loveCardId: (await ok(call(app, adminKey, 'POST', '/v1/love-cards', { organizationId, categoryId: byCode.home_repair }), 'love card')).id,
    apiKeyId: await fresh.apiKey(),
    keys,
    fresh,
  };
}

const nothing = async (): Promise<string> => MISSING;

/** The same shape as `world`, every id naming nothing (and a region no community has). */
export function phantomWorld(world: World): World {
  return {
    ...world, name: 'phantom', communityId: MISSING, regionCode: uniqueRegionCode('69'), organizationId: MISSING, volunteerId: MISSING,
    categoryId: MISSING, entryId: MISSING, agreementId: MISSING, loveCardId: MISSING, apiKeyId: MISSING,
    fresh: { organization: nothing, volunteer: nothing, entry: nothing, agreement: nothing, category: nothing, loveCard: nothing, apiKey: nothing },
  };
}
