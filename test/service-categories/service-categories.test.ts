import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createTenant } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** The fourteen defaults of the contract: code → Chinese name. */
const DEFAULTS: Record<string, string> = {
  civilization_guidance: '文明引导', home_repair: '家政维修', loving_care: '爱心关怀', care_tutoring: '看护教育',
  medical_rescue: '医疗救助', convenience_services: '便民利民', public_security_patrol: '治安巡逻',
  law_enforcement_for_people: '执法为民', environment_health: '环境卫生', legal_publicity: '法治宣传',
  science_publicity: '科技科普', poverty_relief: '扶贫帮困', elderly_disabled_assistance: '助老助残', culture_sports: '文体活动',
};

const categoriesOf = async (communityId: string, key = t.adminKey): Promise<Record<string, any>[]> =>
  (await call(t.app, key, 'GET', `/v1/service-categories?communityId=${communityId}&limit=500`)).json().data;

async function addCategory(communityId: string, body: Record<string, unknown> = {}, key = t.adminKey) {
  return call(t.app, key, 'POST', '/v1/service-categories', { communityId, code: 'flood_watch', name: '防汛巡查', ...body });
}

describe('Default service categories', () => {
  test('a new community starts with the fourteen categories of the contract, codes and Chinese names fixed', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const categories = await categoriesOf(community.id);
    expect(Object.fromEntries(categories.map((c) => [c.code, c.name]))).toEqual(DEFAULTS);
    for (const category of categories) {
      expect(category).toMatchObject({ communityId: community.id, isDefault: true, nameEn: expect.any(String) });
    }
  });

  test('pages through the fourteen defaults five at a time', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const pages = await collectPages(t.app, t.adminKey, `/v1/service-categories?communityId=${community.id}&limit=5`);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 4]);
    expect(new Set(pages.flat().map((c) => c.code))).toEqual(new Set(Object.keys(DEFAULTS)));
  });

  test('filters by code', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'GET', `/v1/service-categories?communityId=${community.id}&code=home_repair`);
    expect(res.json().data.map((c: { name: string }) => c.name)).toEqual(['家政维修']);
  });
});

describe('POST /v1/service-categories', () => {
  test('adds a community\'s own category with 201 and a Location header', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await addCategory(community.id, { nameEn: 'Flood Watch' });
    expect(res.statusCode).toBe(201);
    const category = res.json();
    expect(res.headers.location).toBe(`/v1/service-categories/${category.id}`);
    expect(category).toEqual({
      id: expect.any(String), communityId: community.id, code: 'flood_watch', name: '防汛巡查', nameEn: 'Flood Watch',
      isDefault: false, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(await categoriesOf(community.id)).toHaveLength(15);
  });

  test('rejects a code the community already has with 409, and stores nothing', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    expectProblem(await addCategory(community.id, { code: 'home_repair' }), 409, 'conflict');
    expect(await addCategory(community.id)).toMatchObject({ statusCode: 201 });
    expectProblem(await addCategory(community.id, { name: '又一个' }), 409, 'conflict');
    expect(await categoriesOf(community.id)).toHaveLength(15);
  });

  test('accepts a code another community already uses', async () => {
    const a = await createCommunity(t.app, t.adminKey);
    const b = await createCommunity(t.app, t.adminKey);
    expect((await addCategory(a.id)).statusCode).toBe(201);
    expect((await addCategory(b.id)).statusCode).toBe(201);
  });

  test.each([
    ['Flood-Watch', 'upper case and a hyphen'],
    ['1flood', 'a leading digit'],
    ['f', 'one character'],
  ])('rejects the code %j (%s) with 422 naming code', async (code) => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await addCategory(community.id, { code });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['code']);
  });

  test('rejects missing fields and unknown properties with 422 naming each', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/service-categories', { isDefault: true });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['code', 'communityId', 'isDefault', 'name']);
  });

  test('rejects a communityId that names no community with 422', async () => {
    const res = await addCategory('01900000-0000-7000-8000-000000000000');
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['communityId']);
  });
});

describe('GET /v1/service-categories/{id}', () => {
  test('returns the category', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const category = (await addCategory(community.id)).json();
    const res = await call(t.app, t.adminKey, 'GET', `/v1/service-categories/${category.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(category);
  });

  test('answers 404 for an id that names no category', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/service-categories/01900000-0000-7000-8000-000000000000'), 404, 'not_found');
  });
});

describe('PATCH /v1/service-categories/{id}', () => {
  test('renames a default category and keeps its code', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const [first] = await categoriesOf(community.id);
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/service-categories/${first!.id}`, { name: '新名称', nameEn: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: first!.id, code: first!.code, name: '新名称', nameEn: null, isDefault: true });
  });

  test('rejects a change of code with 422 naming code, and keeps the category', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const category = (await addCategory(community.id)).json();
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/service-categories/${category.id}`, { code: 'renamed' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['code']);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/service-categories/${category.id}`)).json()).toEqual(category);
  });

  test('rejects an empty body and an empty name with 422', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const category = (await addCategory(community.id)).json();
    expectProblem(await call(t.app, t.adminKey, 'PATCH', `/v1/service-categories/${category.id}`, {}), 422, 'validation_failed');
    const empty = await call(t.app, t.adminKey, 'PATCH', `/v1/service-categories/${category.id}`, { name: '' });
    expect(problemFields(empty)).toEqual(['name']);
  });
});

describe('Service categories › who may do what', () => {
  test('a community admin key adds and renames categories of its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const created = await addCategory(tenant.community.id, {}, tenant.communityAdminKey);
    expect(created.statusCode).toBe(201);
    const renamed = await call(t.app, tenant.communityAdminKey, 'PATCH', `/v1/service-categories/${created.json().id}`, { name: '防汛' });
    expect(renamed.statusCode).toBe(200);
  });

  test('a coordinator key reads its community\'s categories but gets 403 adding one', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expect(await categoriesOf(tenant.community.id, tenant.coordinatorKey)).toHaveLength(14);
    expectProblem(await addCategory(tenant.community.id, {}, tenant.coordinatorKey), 403, 'forbidden');
    expect(await categoriesOf(tenant.community.id)).toHaveLength(14);
  });

  test('a reporter key gets 403 listing categories', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', '/v1/service-categories'), 403, 'forbidden');
  });

  test('a community admin key naming another community gets 422 and nothing is added there', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await addCategory(b.community.id, {}, a.communityAdminKey);
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['communityId']);
    expect(await categoriesOf(b.community.id)).toHaveLength(14);
  });

  test('lists only the key\'s own community, even when asking for another', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const all = (await call(t.app, a.communityAdminKey, 'GET', '/v1/service-categories?limit=500')).json().data;
    expect(new Set(all.map((c: { communityId: string }) => c.communityId))).toEqual(new Set([a.community.id]));
    expect(await categoriesOf(b.community.id, a.coordinatorKey)).toEqual([]);
  });

  test.each(['communityAdminKey', 'coordinatorKey'] as const)('a %s of community A gets 404 on a category of community B', async (role) => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const [foreign] = await categoriesOf(b.community.id);
    expectProblem(await call(t.app, a[role], 'GET', `/v1/service-categories/${foreign!.id}`), 404, 'not_found');
  });

  test('a community admin key of community A gets 404 renaming B\'s category, which stays unchanged', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const [foreign] = await categoriesOf(b.community.id);
    expectProblem(await call(t.app, a.communityAdminKey, 'PATCH', `/v1/service-categories/${foreign!.id}`, { name: '改' }), 404, 'not_found');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/service-categories/${foreign!.id}`)).json()).toEqual(foreign);
  });
});
