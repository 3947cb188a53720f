import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { Role } from '../../src/plugins/auth/actor.js';
import { requirePermission } from '../../src/plugins/auth/auth-plugin.js';
import { allows, permissions, type Permission } from '../../src/plugins/auth/permissions.js';
import { uniquePhone, uniqueRegionCode } from '../helpers/factories.js';
import { call, createTestApp, type Response, type TestApp } from '../helpers/test-app.js';
import { buildWorld, PAST, phantomWorld, unique, type World } from './world.js';

/**
 * The authorization matrix, generated from the route table: every documented operation × every
 * role × an object of the key's own tenant and one of another tenant. The permission of each
 * operation is the one its route registered (app.routePermissions), the roles that hold it come
 * from the permission table, and the expected answer follows from those alone:
 *
 * - no key (or an unknown one) → 401;
 * - a role without the permission → 403, whether or not the object is in its scope;
 * - a permitted role, its own tenant → 2xx;
 * - a permitted role, another tenant's object → 404 for a path id, and for an id in a body or a
 *   filter exactly what a well-formed id naming nothing gets (so existence cannot be probed), never
 *   a 2xx that shows the other tenant's data; an admin, whose scope is everything, → 2xx;
 * - another organization of the key's own community: in scope (2xx) for every role but the
 *   coordinator, bound to its own organization, which gets 404 for the other organization's
 *   objects in the path and never a 2xx that shows them (community-wide objects stay visible).
 *
 * Only the request each operation needs (its objects and a valid body) is written by hand below;
 * a new route without such a line fails the coverage test.
 */

const ROLES: readonly Role[] = ['admin', 'community_admin', 'coordinator', 'reporter'];
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

interface Operation {
  operationId: string;
  method: string;
  /** The Fastify route url, `/v1/agreements/:id`. */
  url: string;
  hasPathParams: boolean;
  permission: Permission;
}

interface Request {
  method: string;
  url: string;
  body?: unknown;
}

/** How to call each operation validly on a world's objects. */
const requests: Record<string, (w: World) => Promise<Request> | Request> = {
  getLiveness: () => ({ method: 'GET', url: '/health/live' }),
  getReadiness: () => ({ method: 'GET', url: '/health/ready' }),

  createCommunity: () => ({ method: 'POST', url: '/v1/communities', body: { name: `社区-${unique()}`, regionCode: uniqueRegionCode() } }),
  listCommunities: (w) => ({ method: 'GET', url: `/v1/communities?regionCode=${w.regionCode}` }),
  getCommunity: (w) => ({ method: 'GET', url: `/v1/communities/${w.communityId}` }),
  updateCommunity: (w) => ({ method: 'PATCH', url: `/v1/communities/${w.communityId}`, body: { population: 16_000 } }),

  createOrganization: (w) => ({ method: 'POST', url: '/v1/organizations', body: { communityId: w.communityId, name: `组织-${unique()}`, kind: 'shop' } }),
  listOrganizations: (w) => ({ method: 'GET', url: `/v1/organizations?communityId=${w.communityId}` }),
  getOrganization: (w) => ({ method: 'GET', url: `/v1/organizations/${w.organizationId}` }),
  updateOrganization: (w) => ({ method: 'PATCH', url: `/v1/organizations/${w.organizationId}`, body: { kind: 'volunteer_team' } }),
  archiveOrganization: async (w) => ({ method: 'POST', url: `/v1/organizations/${await w.fresh.organization()}/archive` }),

  createServiceCategory: (w) => ({ method: 'POST', url: '/v1/service-categories', body: { communityId: w.communityId, code: `c_${unique()}`, name: '防汛巡查' } }),
  listServiceCategories: (w) => ({ method: 'GET', url: `/v1/service-categories?communityId=${w.communityId}` }),
  getServiceCategory: (w) => ({ method: 'GET', url: `/v1/service-categories/${w.categoryId}` }),
  updateServiceCategory: (w) => ({ method: 'PATCH', url: `/v1/service-categories/${w.categoryId}`, body: { nameEn: 'Environment and Health' } }),

  registerVolunteer: (w) => ({ method: 'POST', url: '/v1/volunteers', body: { communityId: w.communityId, name: `志愿者-${unique()}`, phone: uniquePhone() } }),
  listVolunteers: (w) => ({ method: 'GET', url: `/v1/volunteers?communityId=${w.communityId}` }),
  getVolunteer: (w) => ({ method: 'GET', url: `/v1/volunteers/${w.volunteerId}` }),
  updateVolunteer: (w) => ({ method: 'PATCH', url: `/v1/volunteers/${w.volunteerId}`, body: { skills: ['first aid'] } }),
  eraseVolunteer: async (w) => ({ method: 'POST', url: `/v1/volunteers/${await w.fresh.volunteer(true)}/erase` }),
  getServiceRecord: (w) => ({ method: 'GET', url: `/v1/volunteers/${w.volunteerId}/service-record` }),

  addMember: async (w) => ({ method: 'POST', url: `/v1/organizations/${w.organizationId}/members`, body: { volunteerId: await w.fresh.volunteer(false) } }),
  listMembers: (w) => ({ method: 'GET', url: `/v1/organizations/${w.organizationId}/members` }),
  removeMember: async (w) => ({ method: 'DELETE', url: `/v1/organizations/${w.organizationId}/members/${await w.fresh.volunteer(true)}` }),

  recordServiceEntry: (w) => ({ method: 'POST', url: '/v1/service-entries', body: entryBody(w) }),
  importServiceEntries: (w) => ({ method: 'POST', url: '/v1/service-entries/batch', body: { entries: [entryBody(w)] } }),
  listServiceEntries: (w) => ({ method: 'GET', url: `/v1/service-entries?communityId=${w.communityId}` }),
  getServiceEntry: (w) => ({ method: 'GET', url: `/v1/service-entries/${w.entryId}` }),
  correctServiceEntry: async (w) => ({ method: 'PATCH', url: `/v1/service-entries/${await w.fresh.entry('pending')}`, body: { minutes: 2 } }),
  approveServiceEntry: async (w) => ({ method: 'POST', url: `/v1/service-entries/${await w.fresh.entry('pending')}/approve` }),
  rejectServiceEntry: async (w) => ({ method: 'POST', url: `/v1/service-entries/${await w.fresh.entry('pending')}/reject`, body: { reason: 'not served' } }),
  voidServiceEntry: async (w) => ({ method: 'POST', url: `/v1/service-entries/${await w.fresh.entry('approved')}/void`, body: { reason: 'recorded twice' } }),

  getSummaryReport: (w) => ({ method: 'GET', url: `/v1/reports/summary?communityId=${w.communityId}` }),
  getHoursReport: (w) => ({ method: 'GET', url: `/v1/reports/hours?communityId=${w.communityId}&groupBy=organization` }),
  getLoveCardsReport: (w) => ({ method: 'GET', url: `/v1/reports/love-cards?communityId=${w.communityId}` }),
  getPartyMembersReport: (w) => ({ method: 'GET', url: `/v1/reports/party-members?communityId=${w.communityId}` }),

  createApiKey: (w) => ({ method: 'POST', url: '/v1/api-keys', body: { name: `key-${unique()}`, role: 'reporter', communityId: w.communityId } }),
  listApiKeys: (w) => ({ method: 'GET', url: `/v1/api-keys?communityId=${w.communityId}` }),
  getApiKey: (w) => ({ method: 'GET', url: `/v1/api-keys/${w.apiKeyId}` }),
  revokeApiKey: async (w) => ({ method: 'DELETE', url: `/v1/api-keys/${await w.fresh.apiKey()}` }),

  listAuditEvents: (w) => ({ method: 'GET', url: `/v1/audit-events?communityId=${w.communityId}` }),

  createAgreement: (w) => ({ method: 'POST', url: '/v1/agreements', body: { communityId: w.communityId, organizationId: w.organizationId, title: '共驻共建协议书', signedOn: PAST } }),
  listAgreements: (w) => ({ method: 'GET', url: `/v1/agreements?communityId=${w.communityId}` }),
  getAgreement: (w) => ({ method: 'GET', url: `/v1/agreements/${w.agreementId}` }),
  updateAgreement: (w) => ({ method: 'PATCH', url: `/v1/agreements/${w.agreementId}`, body: { title: `协议-${unique()}` } }),
  terminateAgreement: async (w) => ({ method: 'POST', url: `/v1/agreements/${await w.fresh.agreement()}/terminate`, body: { reason: '单位迁出' } }),

  claimLoveCard: async (w) => ({ method: 'POST', url: '/v1/love-cards', body: { organizationId: w.organizationId, categoryId: await w.fresh.category() } }),
  listLoveCards: (w) => ({ method: 'GET', url: `/v1/love-cards?communityId=${w.communityId}` }),
  getLoveCard: (w) => ({ method: 'GET', url: `/v1/love-cards/${w.loveCardId}` }),
  releaseLoveCard: async (w) => ({ method: 'POST', url: `/v1/love-cards/${await w.fresh.loveCard()}/release` }),
};

/** Operations that name no object of a tenant, so there is no "other tenant's" variant. */
const UNSCOPED = new Set(['createCommunity']);
/** Paths whose object belongs to the whole community, which a coordinator of any of its organizations sees. */
const COMMUNITY_WIDE = /^\/v1\/(communities|service-categories|api-keys)\//;

const entryBody = (w: World): Record<string, unknown> => ({ volunteerId: w.volunteerId, organizationId: w.organizationId, categoryId: w.categoryId, servedOn: PAST, minutes: 1 });

let t: TestApp;
let operations: Operation[];
let own: World;
let sibling: World;
let foreign: World;
let phantom: World;

/** Every operation of the served OpenAPI document, with the permission its route registered. */
function collectOperations(): Operation[] {
  const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => {
    const url = path.replace(/\{(\w+)\}/g, ':$1');
    const permission = t.app.routePermissions.get(`${m.toUpperCase()} ${url}`);
    if (!permission) throw new Error(`${m.toUpperCase()} ${url} is documented but registered no permission`);
    return { operationId: item[m]!.operationId, method: m.toUpperCase(), url, hasPathParams: url.includes(':'), permission };
  }));
}

beforeAll(async () => {
  // Generous budgets: the matrix sends many requests with the same keys.
  t = await createTestApp({
    RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_REPORTS_PER_MINUTE: '1000000', RATE_LIMIT_BATCH_PER_MINUTE: '1000000', RATE_LIMIT_FAILED_KEYS_PER_MINUTE: '1000000',
  });
  operations = collectOperations();
  [own, foreign] = await Promise.all([buildWorld(t.app, t.adminKey, 'own'), buildWorld(t.app, t.adminKey, 'foreign')]);
  sibling = await buildWorld(t.app, t.adminKey, 'sibling organization', own);
  phantom = phantomWorld(own);
}, 120_000);
afterAll(async () => { await t?.close(); });

const send = (key: string | null, req: Request): Promise<Response> => call(t.app, key, req.method as never, req.url, req.body);
const summary = (res: Response): string => `${res.statusCode} ${res.body.slice(0, 300)}`;
const codeOf = (res: Response): string | undefined => (res.statusCode >= 400 ? (res.json() as { code?: string }).code : undefined);
const fieldsOf = (res: Response): string => (res.statusCode >= 400 ? ((res.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field).sort().join(',') : '');

let cases = 0;
afterAll(() => { process.stdout.write(`[authorization matrix] ${operations?.length ?? 0} operations, ${cases} cases\n`); });

describe('Authorization matrix', () => {
  test('every route registers a known permission, and every documented operation has a request here', () => {
    const routes = [...t.app.routePermissions];
    expect(routes.length).toBeGreaterThan(operations.length);
    expect(routes.filter(([, permission]) => !Object.hasOwn(permissions, permission))).toEqual([]);
    // Every /v1 route is documented, so none escapes the matrix.
    const documented = new Set(operations.map((op) => `${op.method} ${op.url}`));
    const undocumented = routes.map(([route]) => route).filter((route) => / \/v1\//.test(route) && !route.startsWith('HEAD ') && !documented.has(route));
    expect(undocumented).toEqual([]);
    expect(operations.map((op) => op.operationId).filter((id) => !requests[id])).toEqual([]);
    expect(Object.keys(requests).filter((id) => !operations.some((op) => op.operationId === id))).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(50);
  });

  test('a route without a permission stops registration (the auth plugin\'s onRoute check)', async () => {
    const bare = Fastify({ logger: false });
    bare.addHook('onRoute', (route) => { requirePermission(route); });
    try {
      bare.get('/v1/declared', { config: { permission: 'communities:read' } }, async () => ({}));
      let thrown: unknown;
      try {
        bare.get('/v1/forgotten', async () => ({}));
        await bare.ready();
      } catch (err) {
        thrown = err;
      }
      expect(String(thrown)).toContain('Route GET /v1/forgotten declares no permission (config.permission)');
      expect(() => requirePermission({ method: 'POST', url: '/v1/typo', config: { permission: 'communties:create' as never } }))
        .toThrow('Route POST /v1/typo declares no permission');
      expect(() => requirePermission({ method: 'GET', url: '/v1/proto', config: { permission: 'toString' as never } })).toThrow(/declares no permission/);
    } finally {
      await bare.close().catch(() => undefined);
    }
  });

  test('without a key, or with an unknown one, every keyed operation answers 401 and every public one answers', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const req = await requests[op.operationId]!(phantom);
      for (const key of [null, `vh_${randomBytes(24).toString('base64url')}`]) {
        const res = await send(key, req);
        cases += 1;
        const expected = op.permission === 'public' ? res.statusCode < 300 : res.statusCode === 401;
        if (!expected) failures.push(`${op.operationId} ${key ? 'unknown key' : 'no key'} → ${summary(res)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  test.each(ROLES)('as %s: 403 without the permission, 2xx in scope, 404 or a nothing-named answer out of scope', async (role) => {
    const failures: string[] = [];
    for (const op of operations) {
      const permitted = allows(op.permission, role);
      for (const scope of [own, sibling, foreign]) {
        if (scope !== own && UNSCOPED.has(op.operationId)) continue;
        cases += 1;
        const res = await send(own.keys[role], await requests[op.operationId]!(scope));
        const label = `${op.operationId} as ${role} on ${scope.name} object`;
        if (!permitted) {
          if (res.statusCode !== 403) failures.push(`${label}: expected 403 → ${summary(res)}`);
        } else if (scope === own || role === 'admin' || (scope === sibling && role !== 'coordinator')) {
          if (res.statusCode >= 300) failures.push(`${label}: expected 2xx → ${summary(res)}`);
        } else if (scope === sibling) {
          const communityWide = COMMUNITY_WIDE.test(op.url);
          if (op.hasPathParams && communityWide && res.statusCode >= 300) failures.push(`${label}: expected 2xx → ${summary(res)}`);
          if (op.hasPathParams && !communityWide && res.statusCode !== 404) failures.push(`${label}: expected 404 → ${summary(res)}`);
          if (!op.hasPathParams && [401, 403].includes(res.statusCode)) failures.push(`${label}: expected no 401/403 → ${summary(res)}`);
          const shown = [sibling.organizationId, sibling.volunteerId, sibling.entryId, sibling.agreementId, sibling.loveCardId].filter((id) => res.body.includes(id));
          if (res.statusCode < 300 && shown.length > 0) failures.push(`${label}: shows the other organization's ${shown.join(', ')} → ${summary(res)}`);
        } else {
          const nothing = await send(own.keys[role], await requests[op.operationId]!(phantom));
          if (op.hasPathParams && res.statusCode !== 404) failures.push(`${label}: expected 404 → ${summary(res)}`);
          if (res.statusCode !== nothing.statusCode || codeOf(res) !== codeOf(nothing) || fieldsOf(res) !== fieldsOf(nothing)) {
            failures.push(`${label}: answered ${summary(res)} but for an id naming nothing ${summary(nothing)}`);
          }
          const leaked = [foreign.communityId, foreign.organizationId, foreign.volunteerId].filter((id) => res.body.includes(id));
          if (res.statusCode < 300 && leaked.length > 0) failures.push(`${label}: shows the other tenant's ${leaked.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 180_000);
});
