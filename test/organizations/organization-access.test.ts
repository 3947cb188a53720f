import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createKey, createOrganization, createTenant } from '../helpers/factories.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const idsOf = (res: { json(): { data: { id: string }[] } }): string[] => res.json().data.map((o) => o.id);

describe('Organizations › who may do what', () => {
  test('POST /v1/organizations › a community admin key registers one in its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/organizations', { communityId: tenant.community.id, name: '驻区单位', kind: 'enterprise' });
    expect(res.statusCode).toBe(201);
  });

  test('POST /v1/organizations › a community admin key naming another community gets 422 naming communityId, and nothing is stored there', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'POST', '/v1/organizations', { communityId: b.community.id, name: '越界', kind: 'shop' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['communityId']);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `/v1/organizations?communityId=${b.community.id}`))).toEqual([b.organization.id]);
  });

  test('POST /v1/organizations › a coordinator key gets 403 and nothing is stored', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.coordinatorKey, 'POST', '/v1/organizations', { communityId: tenant.community.id, name: '越权', kind: 'shop' });
    expectProblem(res, 403, 'forbidden');
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `/v1/organizations?communityId=${tenant.community.id}`))).toEqual([tenant.organization.id]);
  });

  test('GET /v1/organizations › a reporter key gets 403', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', '/v1/organizations'), 403, 'forbidden');
  });

  test('PATCH and archive › a coordinator key gets 403 even on its own organization', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant.coordinatorKey, 'PATCH', `/v1/organizations/${tenant.organization.id}`, { name: 'x' }), 403, 'forbidden');
    expectProblem(await call(t.app, tenant.coordinatorKey, 'POST', `/v1/organizations/${tenant.organization.id}/archive`), 403, 'forbidden');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${tenant.organization.id}`)).json()).toEqual(tenant.organization);
  });

  test('GET /v1/organizations › a community admin key lists only its community, even when asking for another', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    expect(idsOf(await call(t.app, a.communityAdminKey, 'GET', '/v1/organizations?limit=500'))).toEqual([a.organization.id]);
    expect(idsOf(await call(t.app, a.communityAdminKey, 'GET', `/v1/organizations?communityId=${b.community.id}`))).toEqual([]);
  });

  test('GET /v1/organizations › a coordinator key lists only its own organization', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    await createOrganization(t.app, t.adminKey, tenant.community.id);
    expect(idsOf(await call(t.app, tenant.coordinatorKey, 'GET', '/v1/organizations?limit=500'))).toEqual([tenant.organization.id]);
  });

  test('GET /v1/organizations/{id} › a coordinator key reads its own organization', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.coordinatorKey, 'GET', `/v1/organizations/${tenant.organization.id}`);
    expect(res.statusCode).toBe(200);
  });

  test('GET /v1/organizations/{id} › a coordinator key gets 404 on another organization of its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const sibling = await createOrganization(t.app, t.adminKey, tenant.community.id);
    expectProblem(await call(t.app, tenant.coordinatorKey, 'GET', `/v1/organizations/${sibling.id}`), 404, 'not_found');
  });

  test.each(['communityAdminKey', 'coordinatorKey'] as const)('GET /v1/organizations/{id} › a %s of community A gets 404 on an organization of community B', async (role) => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, a[role], 'GET', `/v1/organizations/${b.organization.id}`), 404, 'not_found');
  });

  test('PATCH and archive › a community admin key of community A gets 404 on B\'s organization, which stays unchanged', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, a.communityAdminKey, 'PATCH', `/v1/organizations/${b.organization.id}`, { name: '改名' }), 404, 'not_found');
    expectProblem(await call(t.app, a.communityAdminKey, 'POST', `/v1/organizations/${b.organization.id}/archive`), 404, 'not_found');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${b.organization.id}`)).json()).toEqual(b.organization);
  });

  test('PATCH › a community admin key changes an organization of its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'PATCH', `/v1/organizations/${tenant.organization.id}`, { approvalPolicy: 'auto' });
    expect(res.statusCode).toBe(200);
    expect(res.json().approvalPolicy).toBe('auto');
  });

  test('GET /v1/organizations › a reporter key scoped to a region gets 403', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const reporter = await createKey(t.app, t.adminKey, { role: 'reporter', regionCode: tenant.community.regionCode.slice(0, 4) });
    expectProblem(await call(t.app, reporter, 'GET', `/v1/organizations/${tenant.organization.id}`), 403, 'forbidden');
  });
});
