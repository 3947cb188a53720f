import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createTenant, uniqueRegionCode } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('Communities › who may do what', () => {
  test('POST /v1/communities › a community admin key gets 403 and nothing is created', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const regionCode = uniqueRegionCode();
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/communities', { name: '越权社区', regionCode });
    expectProblem(res, 403, 'forbidden');
    const after = await call(t.app, t.adminKey, 'GET', `/v1/communities?regionCode=${regionCode}`);
    expect(after.json().data).toHaveLength(0);
  });

  test('GET /v1/communities › a reporter key gets 403', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', '/v1/communities'), 403, 'forbidden');
  });

  test('PATCH /v1/communities/{id} › a coordinator key gets 403 on its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.coordinatorKey, 'PATCH', `/v1/communities/${tenant.community.id}`, { name: 'x' });
    expectProblem(res, 403, 'forbidden');
  });

  test('GET /v1/communities/{id} › a community admin key gets 404 on another community', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'GET', `/v1/communities/${b.community.id}`);
    expectProblem(res, 404, 'not_found');
  });

  test('GET /v1/communities/{id} › a coordinator key gets 404 on another community', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, a.coordinatorKey, 'GET', `/v1/communities/${b.community.id}`), 404, 'not_found');
  });

  test('GET /v1/communities/{id} › another community answers exactly like a missing one', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createCommunity(t.app, t.adminKey);
    const foreign = (await call(t.app, a.communityAdminKey, 'GET', `/v1/communities/${b.id}`)).json();
    const missing = (await call(t.app, a.communityAdminKey, 'GET', '/v1/communities/01900000-0000-7000-8000-000000000000')).json();
    expect({ ...foreign, instance: '', requestId: '' }).toEqual({ ...missing, instance: '', requestId: '' });
  });

  test('PATCH /v1/communities/{id} › a community admin key gets 404 on another community, which stays unchanged', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'PATCH', `/v1/communities/${b.community.id}`, { name: '被改了' });
    expectProblem(res, 404, 'not_found');
    const after = await call(t.app, t.adminKey, 'GET', `/v1/communities/${b.community.id}`);
    expect(after.json()).toEqual(b.community);
  });

  test('GET /v1/communities › a community admin asking for another region sees nothing of it', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'GET', `/v1/communities?regionCode=${b.community.regionCode}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: [], nextCursor: null });
  });
});
