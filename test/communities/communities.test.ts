import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createTenant, uniqueRegionCode } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** A nine-digit division prefix no other test uses, so region-filtered lists hold only this test's communities. */
const uniquePrefix = (): string => uniqueRegionCode().slice(0, 9);

async function countInRegion(prefix: string): Promise<number> {
  const res = await call(t.app, t.adminKey, 'GET', `/v1/communities?regionCode=${prefix}&limit=500`);
  return res.json().data.length;
}

describe('POST /v1/communities', () => {
  test('creates a community with the default star thresholds and fourteen default categories', async () => {
    const community = await createCommunity(t.app, t.adminKey, { population: 16000, households: 4900 });
    expect(community.starThresholds).toEqual([100, 300, 600, 1000, 1500]);
    expect(community.timezone).toBe('Asia/Shanghai');
    const res = await call(t.app, t.adminKey, 'GET', `/v1/service-categories?communityId=${community.id}&limit=100`);
    expect(res.statusCode).toBe(200);
    const codes = res.json().data.map((c: { code: string }) => c.code).sort();
    expect(codes).toHaveLength(14);
    expect(codes).toContain('law_enforcement_for_people');
  });

  test('answers 201 with a Location header and every field of the community', async () => {
    const regionCode = uniqueRegionCode();
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', {
      name: '渭水苑社区', regionCode, timezone: 'Asia/Urumqi', population: 16000, households: 4900,
    });
    expect(res.statusCode).toBe(201);
    const community = res.json();
    expect(res.headers.location).toBe(`/v1/communities/${community.id}`);
    expect(community).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      name: '渭水苑社区', regionCode, timezone: 'Asia/Urumqi', population: 16000, households: 4900,
      starThresholds: [100, 300, 600, 1000, 1500],
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    expect(new Date(community.createdAt).toISOString()).toBe(community.createdAt);
  });

  test('keeps custom strictly increasing star thresholds', async () => {
    const community = await createCommunity(t.app, t.adminKey, { starThresholds: [50, 150, 400, 800, 1200] });
    expect(community.starThresholds).toEqual([50, 150, 400, 800, 1200]);
    const res = await call(t.app, t.adminKey, 'GET', `/v1/communities/${community.id}`);
    expect(res.json().starThresholds).toEqual([50, 150, 400, 800, 1200]);
  });

  test.each([
    ['equal neighbours', [100, 300, 300, 1000, 1500]],
    ['a decrease', [100, 300, 600, 500, 1500]],
  ])('rejects star thresholds with %s with 422 naming starThresholds, and stores nothing', async (_label, starThresholds) => {
    const prefix = uniquePrefix();
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: '社区', regionCode: `${prefix}001`, starThresholds });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['starThresholds']);
    expect(await countInRegion(prefix)).toBe(0);
  });

  test('rejects four star thresholds instead of five with 422', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: '社区', starThresholds: [100, 300, 600, 1000] });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['starThresholds']);
  });

  test('stores a time zone as IANA spells it', async () => {
    const community = await createCommunity(t.app, t.adminKey, { timezone: 'asia/shanghai' });
    expect(community.timezone).toBe('Asia/Shanghai');
    const patched = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { timezone: 'asia/urumqi' });
    expect(patched.json().timezone).toBe('Asia/Urumqi');
  });

  test('rejects a time zone that is not IANA with 422 naming timezone', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: '社区', timezone: 'Mars/Olympus_Mons' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['timezone']);
  });

  test('rejects unknown properties and wrong types with 422 naming each field, and stores nothing', async () => {
    const prefix = uniquePrefix();
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: 7, colour: 'red', population: '5', regionCode: `${prefix}001` });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['colour', 'name', 'population']);
    expect(await countInRegion(prefix)).toBe(0);
  });

  test('rejects a missing name, a region code that is not 12 digits and a negative population with 422 naming each', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { regionCode: '6103', population: -1 });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['name', 'population', 'regionCode']);
    const regionCode = res.json().errors.find((e: { field: string }) => e.field === 'regionCode');
    expect(regionCode.message).toMatch(/fewer than 12 characters; must match pattern/);
  });

  test('does not coerce a string to an integer for households', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: '社区', households: '4900' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['households']);
  });
});

describe('GET /v1/communities', () => {
  test('pages through a region with limit and nextCursor, in creation order, without gaps or repeats', async () => {
    const prefix = uniquePrefix();
    const created = [];
    for (let i = 1; i <= 5; i += 1) created.push(await createCommunity(t.app, t.adminKey, { regionCode: `${prefix}00${i}` }));
    const pages = await collectPages(t.app, t.adminKey, `/v1/communities?regionCode=${prefix}&limit=2`);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((c) => c.id)).toEqual(created.map((c) => c.id));
  });

  test('answers nextCursor null when everything fits on one page', async () => {
    const prefix = uniquePrefix();
    await createCommunity(t.app, t.adminKey, { regionCode: `${prefix}001` });
    const res = await call(t.app, t.adminKey, 'GET', `/v1/communities?regionCode=${prefix}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: [expect.objectContaining({ regionCode: `${prefix}001` })], nextCursor: null });
  });

  test('filters by a region code prefix', async () => {
    const prefix = uniquePrefix();
    const inside = await createCommunity(t.app, t.adminKey, { regionCode: `${prefix}001` });
    const res = await call(t.app, t.adminKey, 'GET', `/v1/communities?regionCode=${prefix}00`);
    expect(res.json().data.map((c: { id: string }) => c.id)).toEqual([inside.id]);
  });

  test('shows a community admin only its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'GET', '/v1/communities?limit=500');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((c: { id: string }) => c.id)).toEqual([tenant.community.id]);
  });

  test('shows a coordinator only the community of its organization', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.coordinatorKey, 'GET', '/v1/communities?limit=500');
    expect(res.json().data.map((c: { id: string }) => c.id)).toEqual([tenant.community.id]);
  });
});

describe('GET /v1/communities/{id}', () => {
  test('returns the community', async () => {
    const community = await createCommunity(t.app, t.adminKey, { population: 1200 });
    const res = await call(t.app, t.adminKey, 'GET', `/v1/communities/${community.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(community);
  });

  test('a community admin key reads its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'GET', `/v1/communities/${tenant.community.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(tenant.community.id);
  });
});

describe('PATCH /v1/communities/{id}', () => {
  test('changes only the fields sent and moves updatedAt', async () => {
    const community = await createCommunity(t.app, t.adminKey, { population: 16000, households: 4900 });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { population: 16200, starThresholds: [10, 20, 30, 40, 50] });
    expect(res.statusCode).toBe(200);
    const patched = res.json();
    expect(patched).toMatchObject({ name: community.name, households: 4900, population: 16200, starThresholds: [10, 20, 30, 40, 50] });
    expect(Date.parse(patched.updatedAt)).toBeGreaterThanOrEqual(Date.parse(community.updatedAt));
    expect((await call(t.app, t.adminKey, 'GET', `/v1/communities/${community.id}`)).json()).toEqual(patched);
  });

  test('clears nullable fields with null', async () => {
    const community = await createCommunity(t.app, t.adminKey, { population: 100 });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { population: null, regionCode: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ population: null, regionCode: null });
  });

  test('a community admin key may rename its own community', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'PATCH', `/v1/communities/${tenant.community.id}`, { name: '新名字' });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe('新名字');
  });

  test('rejects an empty body with 422', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    expectProblem(await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, {}), 422, 'validation_failed');
  });

  test('rejects decreasing thresholds and an unknown time zone with 422, and changes nothing', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const thresholds = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { starThresholds: [5, 4, 3, 2, 1] });
    expectProblem(thresholds, 422, 'validation_failed');
    expect(problemFields(thresholds)).toEqual(['starThresholds']);
    const timezone = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { timezone: 'Nowhere/Atlantis' });
    expect(problemFields(timezone)).toEqual(['timezone']);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/communities/${community.id}`)).json()).toEqual(community);
  });

  test('rejects unknown properties and strings for integers with 422 naming each field', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { households: '12', id: community.id });
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors).toHaveLength(2);
    expect(res.json().errors).toEqual(expect.arrayContaining([
      { field: 'households', message: 'must be integer or null' },
      { field: 'id', message: 'is not a known property' },
    ]));
  });

  test('answers 404 for an id that names no community', async () => {
    const res = await call(t.app, t.adminKey, 'PATCH', '/v1/communities/01900000-0000-7000-8000-000000000000', { name: 'x' });
    expectProblem(res, 404, 'not_found');
  });
});
