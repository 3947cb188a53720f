import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createTenant } from '../helpers/factories.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const MISSING = '01900000-0000-7000-8000-000000000000';

const keyCount = async (communityId: string): Promise<number> =>
  (await call(t.app, t.adminKey, 'GET', `/v1/api-keys?communityId=${communityId}&limit=500`)).json().data.length;

describe('POST /v1/api-keys › role and scope must fit', () => {
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  beforeAll(async () => { tenant = await createTenant(t.app, t.adminKey); });

  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['an admin key with a communityId', () => ({ role: 'admin', communityId: tenant.community.id }), 'communityId'],
    ['an admin key with an organizationId', () => ({ role: 'admin', organizationId: tenant.organization.id }), 'organizationId'],
    ['an admin key with a regionCode', () => ({ role: 'admin', regionCode: '61' }), 'regionCode'],
    ['a community_admin key without a communityId', () => ({ role: 'community_admin' }), 'communityId'],
    ['a community_admin key with an organizationId', () => ({ role: 'community_admin', communityId: tenant.community.id, organizationId: tenant.organization.id }), 'organizationId'],
    ['a community_admin key with a regionCode', () => ({ role: 'community_admin', communityId: tenant.community.id, regionCode: '61' }), 'regionCode'],
    ['a community_admin key for a community that does not exist', () => ({ role: 'community_admin', communityId: MISSING }), 'communityId'],
    ['a coordinator key without an organizationId', () => ({ role: 'coordinator', communityId: tenant.community.id }), 'organizationId'],
    ['a coordinator key with a regionCode', () => ({ role: 'coordinator', organizationId: tenant.organization.id, regionCode: '61' }), 'regionCode'],
    ['a coordinator key for an organization that does not exist', () => ({ role: 'coordinator', organizationId: MISSING }), 'organizationId'],
    ['a coordinator key naming another community than its organization\'s', () => ({ role: 'coordinator', organizationId: tenant.organization.id, communityId: MISSING }), 'communityId'],
    ['a reporter key with an organizationId', () => ({ role: 'reporter', organizationId: tenant.organization.id }), 'organizationId'],
    ['a reporter key with both a communityId and a regionCode', () => ({ role: 'reporter', communityId: tenant.community.id, regionCode: '61' }), 'regionCode'],
    ['a reporter key for a community that does not exist', () => ({ role: 'reporter', communityId: MISSING }), 'communityId'],
    ['a reporter key with a region code that is not digits', () => ({ role: 'reporter', regionCode: '61ab' }), 'regionCode'],
    ['a role the contract does not know', () => ({ role: 'superuser' }), 'role'],
  ];

  test.each(cases)('rejects %s with 422 naming the field, and stores nothing', async (_label, body, field) => {
    const before = await keyCount(tenant.community.id);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'bad scope', ...body() });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual([field]);
    expect(await keyCount(tenant.community.id)).toBe(before);
  });

  test('rejects a missing name and role and an unknown property with 422 naming each', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { secret: 'vh_my_own_choice' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['name', 'role', 'secret']);
  });
});

describe('POST /v1/api-keys › a community admin key', () => {
  test('mints coordinator and reporter keys for its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const coordinator = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/api-keys', { name: 'team lead', role: 'coordinator', organizationId: tenant.organization.id });
    expect(coordinator.statusCode).toBe(201);
    expect(coordinator.json()).toMatchObject({ communityId: tenant.community.id, organizationId: tenant.organization.id });
    const reporter = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/api-keys', { name: 'stats', role: 'reporter', communityId: tenant.community.id });
    expect(reporter.statusCode).toBe(201);
  });

  test('never mints an admin key, with or without scope fields: 403', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const before = await keyCount(tenant.community.id);
    expectProblem(await call(t.app, tenant.communityAdminKey, 'POST', '/v1/api-keys', { name: 'escalate', role: 'admin' }), 403, 'forbidden');
    const scoped = { name: 'escalate', role: 'admin', communityId: tenant.community.id };
    expectProblem(await call(t.app, tenant.communityAdminKey, 'POST', '/v1/api-keys', scoped), 403, 'forbidden');
    expect(await keyCount(tenant.community.id)).toBe(before);
  });

  test('gets 403 minting a coordinator key for another community\'s organization, and nothing is stored there', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const before = await keyCount(b.community.id);
    const res = await call(t.app, a.communityAdminKey, 'POST', '/v1/api-keys', { name: 'x', role: 'coordinator', organizationId: b.organization.id });
    expectProblem(res, 403, 'forbidden');
    expect(await keyCount(b.community.id)).toBe(before);
  });

  test.each([
    ['a reporter key for another community', (b: string) => ({ role: 'reporter', communityId: b })],
    ['a community_admin key for another community', (b: string) => ({ role: 'community_admin', communityId: b })],
    ['a reporter key for a region', () => ({ role: 'reporter', regionCode: '61' })],
    ['an unscoped reporter key', () => ({ role: 'reporter' })],
  ])('gets 403 minting %s', async (_label, body) => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'POST', '/v1/api-keys', { name: 'x', ...body(b.id) });
    expectProblem(res, 403, 'forbidden');
  });

  test('cannot tell another community\'s organization from a missing one', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const foreign = await call(t.app, a.communityAdminKey, 'POST', '/v1/api-keys', { name: 'x', role: 'coordinator', organizationId: b.organization.id });
    const missing = await call(t.app, a.communityAdminKey, 'POST', '/v1/api-keys', { name: 'x', role: 'coordinator', organizationId: MISSING });
    expect(missing.statusCode).toBe(foreign.statusCode);
    expect(missing.json().detail).toBe(foreign.json().detail);
  });

  test('cannot tell another community from a missing one', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createCommunity(t.app, t.adminKey);
    const foreign = await call(t.app, a.communityAdminKey, 'POST', '/v1/api-keys', { name: 'x', role: 'reporter', communityId: b.id });
    const missing = await call(t.app, a.communityAdminKey, 'POST', '/v1/api-keys', { name: 'x', role: 'reporter', communityId: MISSING });
    expect(missing.statusCode).toBe(foreign.statusCode);
    expect(missing.json().detail).toBe(foreign.json().detail);
  });

  test('lists only its own community\'s keys, even when asking for another', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const own = (await call(t.app, a.communityAdminKey, 'GET', '/v1/api-keys?limit=500')).json().data;
    expect(own.map((k: { role: string }) => k.role).sort()).toEqual(['community_admin', 'coordinator', 'reporter']);
    expect(new Set(own.map((k: { communityId: string }) => k.communityId))).toEqual(new Set([a.community.id]));
    const asked = await call(t.app, a.communityAdminKey, 'GET', `/v1/api-keys?communityId=${b.community.id}`);
    expect(asked.json()).toEqual({ data: [], nextCursor: null });
  });

  test('gets 404 reading or revoking another community\'s key, which keeps working', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const foreign = (await call(t.app, t.adminKey, 'GET', `/v1/api-keys?communityId=${b.community.id}`)).json()
      .data.find((k: { role: string }) => k.role === 'coordinator');
    expectProblem(await call(t.app, a.communityAdminKey, 'GET', `/v1/api-keys/${foreign.id}`), 404, 'not_found');
    expectProblem(await call(t.app, a.communityAdminKey, 'DELETE', `/v1/api-keys/${foreign.id}`), 404, 'not_found');
    expect((await call(t.app, b.coordinatorKey, 'GET', `/v1/organizations/${b.organization.id}`)).statusCode).toBe(200);
  });

  test('gets 404 reading or revoking an admin key, which keeps working', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const admin = (await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'ops', role: 'admin' })).json();
    expectProblem(await call(t.app, tenant.communityAdminKey, 'GET', `/v1/api-keys/${admin.id}`), 404, 'not_found');
    expectProblem(await call(t.app, tenant.communityAdminKey, 'DELETE', `/v1/api-keys/${admin.id}`), 404, 'not_found');
    expect((await call(t.app, admin.secret, 'GET', '/v1/api-keys?limit=1')).statusCode).toBe(200);
  });

  test('revokes a coordinator key of its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const coordinator = (await call(t.app, tenant.communityAdminKey, 'GET', '/v1/api-keys')).json()
      .data.find((k: { role: string }) => k.role === 'coordinator');
    expect((await call(t.app, tenant.communityAdminKey, 'DELETE', `/v1/api-keys/${coordinator.id}`)).statusCode).toBe(204);
    expectProblem(await call(t.app, tenant.coordinatorKey, 'GET', `/v1/organizations/${tenant.organization.id}`), 401, 'unauthorized');
  });
});

describe('API keys › roles without api-keys:manage', () => {
  test.each(['coordinatorKey', 'reporterKey'] as const)('a %s gets 403 on every api-key route', async (role) => {
    const tenant = await createTenant(t.app, t.adminKey);
    const key = tenant[role];
    expectProblem(await call(t.app, key, 'GET', '/v1/api-keys'), 403, 'forbidden');
    expectProblem(await call(t.app, key, 'POST', '/v1/api-keys', { name: 'x', role: 'reporter', communityId: tenant.community.id }), 403, 'forbidden');
    expectProblem(await call(t.app, key, 'GET', `/v1/api-keys/${MISSING}`), 403, 'forbidden');
    expectProblem(await call(t.app, key, 'DELETE', `/v1/api-keys/${MISSING}`), 403, 'forbidden');
  });
});
