import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createOrganization } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const KINDS = ['volunteer_team', 'enterprise', 'public_institution', 'government_agency', 'school', 'hospital', 'social_organization', 'shop', 'other'];
const idsOf = (res: { json(): { data: { id: string }[] } }): string[] => res.json().data.map((o) => o.id);

describe('POST /v1/organizations', () => {
  test('registers an organization with 201, a Location header and manual approval by default', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: '高新区第一小学', kind: 'school' });
    expect(res.statusCode).toBe(201);
    const organization = res.json();
    expect(res.headers.location).toBe(`/v1/organizations/${organization.id}`);
    expect(organization).toEqual({
      id: expect.any(String), communityId: community.id, name: '高新区第一小学', kind: 'school', creditCode: null,
      approvalPolicy: 'manual', archived: false, archivedAt: null, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
  });

  test('accepts every kind of the contract', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    for (const kind of KINDS) {
      const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: `单位-${kind}`, kind });
      expect({ kind, status: res.statusCode }).toEqual({ kind, status: 201 });
    }
  });

  test('accepts approvalPolicy auto', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id, { approvalPolicy: 'auto' });
    expect(organization.approvalPolicy).toBe('auto');
  });

  test('rejects a missing community, name and kind with 422 naming each', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', {});
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['communityId', 'kind', 'name']);
  });

  test('rejects an unknown kind, an unknown property and an empty name with 422 naming each, and stores nothing', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: '', kind: 'bank', members: 3 });
    const problem = expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['kind', 'members', 'name']);
    expect(problem.errors.find((e: { field: string }) => e.field === 'kind').message).toContain('volunteer_team');
    const list = await call(t.app, t.adminKey, 'GET', `/v1/organizations?communityId=${community.id}`);
    expect(list.json().data).toHaveLength(0);
  });

  test('rejects a communityId that names no community with 422 naming communityId', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: '01900000-0000-7000-8000-000000000000', name: '孤儿', kind: 'shop' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['communityId']);
  });
});

describe('GET /v1/organizations', () => {
  test('filters by community, kind, archived and part of the name', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const other = await createCommunity(t.app, t.adminKey);
    const team = await createOrganization(t.app, t.adminKey, community.id, { name: '渭水苑志愿服务队', kind: 'volunteer_team' });
    const shop = await createOrganization(t.app, t.adminKey, community.id, { name: '便民超市', kind: 'shop' });
    const school = await createOrganization(t.app, t.adminKey, community.id, { name: '第一小学', kind: 'school' });
    await createOrganization(t.app, t.adminKey, other.id, { name: '别处的超市', kind: 'shop' });
    await call(t.app, t.adminKey, 'POST', `/v1/organizations/${school.id}/archive`);
    const base = `/v1/organizations?communityId=${community.id}`;

    expect(idsOf(await call(t.app, t.adminKey, 'GET', base))).toEqual([team.id, shop.id, school.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&kind=shop`))).toEqual([shop.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&archived=true`))).toEqual([school.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&archived=false`))).toEqual([team.id, shop.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&q=${encodeURIComponent('超市')}`))).toEqual([shop.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&q=${encodeURIComponent('志愿')}&kind=volunteer_team&archived=false`))).toEqual([team.id]);
  });

  test('matches q case-insensitively and treats % and _ literally', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const percent = await createOrganization(t.app, t.adminKey, community.id, { name: 'Green 100% Team' });
    const plain = await createOrganization(t.app, t.adminKey, community.id, { name: 'Green Team' });
    const base = `/v1/organizations?communityId=${community.id}`;
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&q=green`))).toEqual([percent.id, plain.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&q=${encodeURIComponent('%')}`))).toEqual([percent.id]);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `${base}&q=_`))).toEqual([]);
  });

  test('pages through a community with limit and nextCursor', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push(await createOrganization(t.app, t.adminKey, community.id));
    const pages = await collectPages(t.app, t.adminKey, `/v1/organizations?communityId=${community.id}&limit=2`);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((o) => o.id)).toEqual(created.map((o) => o.id));
  });

  test.each([
    ['kind=bank', 'kind'],
    ['archived=maybe', 'archived'],
    ['communityId=42', 'communityId'],
    ['q=', 'q'],
  ])('rejects %s with 400 naming %s', async (query, field) => {
    const res = await call(t.app, t.adminKey, 'GET', `/v1/organizations?${query}`);
    expectProblem(res, 400, 'invalid_parameter');
    expect(problemFields(res)).toEqual([field]);
  });
});

describe('GET /v1/organizations/{id}', () => {
  test('returns the organization', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const res = await call(t.app, t.adminKey, 'GET', `/v1/organizations/${organization.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(organization);
  });

  test('answers 404 for an id that names no organization', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/organizations/01900000-0000-7000-8000-000000000000'), 404, 'not_found');
  });
});

describe('PATCH /v1/organizations/{id}', () => {
  test('changes name, kind and approval policy', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id, { kind: 'shop' });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { name: '新名称', kind: 'enterprise', approvalPolicy: 'auto' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: organization.id, communityId: community.id, name: '新名称', kind: 'enterprise', approvalPolicy: 'auto' });
  });

  test('rejects moving an organization to another community (communityId is not patchable) with 422', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const other = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { communityId: other.id });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['communityId']);
  });

  test('rejects an empty body and an unknown approval policy with 422', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    expectProblem(await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, {}), 422, 'validation_failed');
    const policy = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { approvalPolicy: 'sometimes' });
    expect(problemFields(policy)).toEqual(['approvalPolicy']);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${organization.id}`)).json()).toEqual(organization);
  });
});

describe('POST /v1/organizations/{id}/archive', () => {
  test('archives the organization, and archiving again is harmless and keeps the first archivedAt', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const first = await call(t.app, t.adminKey, 'POST', `/v1/organizations/${organization.id}/archive`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    const second = await call(t.app, t.adminKey, 'POST', `/v1/organizations/${organization.id}/archive`);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
  });

  test('an archived organization cannot be patched: 409, and it stays as it was', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const archived = (await call(t.app, t.adminKey, 'POST', `/v1/organizations/${organization.id}/archive`)).json();
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { name: '复活' });
    expectProblem(res, 409, 'conflict');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${organization.id}`)).json()).toEqual(archived);
  });

  test('an archived organization is still readable and listed', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    await call(t.app, t.adminKey, 'POST', `/v1/organizations/${organization.id}/archive`);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${organization.id}`)).statusCode).toBe(200);
    expect(idsOf(await call(t.app, t.adminKey, 'GET', `/v1/organizations?communityId=${community.id}`))).toEqual([organization.id]);
  });

  test('answers 404 for an id that names no organization', async () => {
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/organizations/01900000-0000-7000-8000-000000000000/archive'), 404, 'not_found');
  });
});
