import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createKey, createOrganization, createTenant } from '../helpers/factories.js';
import { addDays, createAgreement, expectProblem, todayIn } from './fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const ids = (res: { json(): { data: Array<{ id: string }> } }): string[] => res.json().data.map((a) => a.id);

describe('GET /v1/agreements', () => {
  test('filters by status: active, expired and terminated', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const active = await createAgreement(t.app, t.adminKey, tenant);
    const expired = await createAgreement(t.app, t.adminKey, tenant, { signedOn: '2020-01-01', validUntil: addDays(todayIn(), -1) });
    const terminated = await createAgreement(t.app, t.adminKey, tenant);
    await call(t.app, t.adminKey, 'POST', `/v1/agreements/${terminated.id}/terminate`, {});
    const base = `/v1/agreements?communityId=${tenant.community.id}`;
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&status=active`))).toEqual([active.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&status=expired`))).toEqual([expired.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&status=terminated`))).toEqual([terminated.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', base))).toEqual([active.id, expired.id, terminated.id]);
    expectProblem(await call(t.app, t.adminKey, 'GET', `${base}&status=pending`), 400, 'status');
  });

  test('filters by communityId and organizationId', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const other = await createTenant(t.app, t.adminKey);
    const second = await createOrganization(t.app, t.adminKey, tenant.community.id, { kind: 'school' });
    const first = await createAgreement(t.app, t.adminKey, tenant);
    const ofSecond = await createAgreement(t.app, t.adminKey, tenant, { organizationId: second.id });
    await createAgreement(t.app, t.adminKey, other);
    expect(ids(await call(t.app, t.adminKey, 'GET', `/v1/agreements?communityId=${tenant.community.id}`))).toEqual([first.id, ofSecond.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `/v1/agreements?organizationId=${second.id}`))).toEqual([ofSecond.id]);
  });

  test('pages with limit and cursor until nextCursor is null', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push((await createAgreement(t.app, t.adminKey, tenant, { title: `协议 ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/agreements?communityId=${tenant.community.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await call(t.app, tenant.communityAdminKey, 'GET', query);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      cursor = res.json().nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  test('a cursor this API did not issue gets 400', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/agreements?cursor=bm90LWEtY3Vyc29y'), 400, 'cursor', 'invalid_cursor');
  });
});

describe('agreements scope', () => {
  test('community A\'s community admin and coordinator get 404 on B\'s agreement and do not list it', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, b);
    for (const key of [a.communityAdminKey, a.coordinatorKey]) {
      const res = await call(t.app, key, 'GET', `/v1/agreements/${agreement.id}`);
      expectProblem(res, 404);
      expect(res.json().code).toBe('not_found');
      expect(ids(await call(t.app, key, 'GET', `/v1/agreements?communityId=${b.community.id}`))).toEqual([]);
      expect(ids(await call(t.app, key, 'GET', '/v1/agreements'))).toEqual([]);
    }
    expectProblem(await call(t.app, a.communityAdminKey, 'PATCH', `/v1/agreements/${agreement.id}`, { title: '越权' }), 404);
    expectProblem(await call(t.app, a.communityAdminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, {}), 404);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json()).toEqual(agreement);
  });

  test('a coordinator reads its own organization\'s agreements only; another organization\'s in the same community is 404', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const neighbour = await createOrganization(t.app, t.adminKey, tenant.community.id, { kind: 'shop' });
    const neighbourCoordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: neighbour.id });
    const own = await createAgreement(t.app, t.adminKey, tenant);
    const theirs = await createAgreement(t.app, t.adminKey, tenant, { organizationId: neighbour.id });
    expect((await call(t.app, tenant.coordinatorKey, 'GET', `/v1/agreements/${own.id}`)).json()).toEqual(own);
    expectProblem(await call(t.app, neighbourCoordinator, 'GET', `/v1/agreements/${own.id}`), 404);
    expect(ids(await call(t.app, tenant.coordinatorKey, 'GET', '/v1/agreements'))).toEqual([own.id]);
    expect(ids(await call(t.app, tenant.coordinatorKey, 'GET', `/v1/agreements?organizationId=${neighbour.id}`))).toEqual([]);
    expect(ids(await call(t.app, neighbourCoordinator, 'GET', `/v1/agreements?communityId=${tenant.community.id}`))).toEqual([theirs.id]);
  });

  test('a coordinator may not change agreements: 403', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    expectProblem(await call(t.app, tenant.coordinatorKey, 'PATCH', `/v1/agreements/${agreement.id}`, { title: '改' }), 403);
    expectProblem(await call(t.app, tenant.coordinatorKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, {}), 403);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json()).toEqual(agreement);
  });

  test('a reporter gets 403 on every agreement endpoint', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', '/v1/agreements'), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', `/v1/agreements/${agreement.id}`), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'PATCH', `/v1/agreements/${agreement.id}`, { title: '改' }), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, {}), 403);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json()).toEqual(agreement);
  });

  test('an unknown id gets 404 as problem+json', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/agreements/0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70'), 404);
  });
});
