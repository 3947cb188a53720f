import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createKey, createOrganization, createTenant, createVolunteer } from '../helpers/factories.js';
import { expectProblem } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const ids = (res: { json(): { data: { id: string }[] } }): string[] => res.json().data.map((v) => v.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /v1/volunteers', () => {
  test('an admin sees every community, or one with communityId; a community admin only its own', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const va = await createVolunteer(t.app, a.communityAdminKey, a.community.id);
    const vb = await createVolunteer(t.app, b.communityAdminKey, b.community.id);
    expect(ids(await call(t.app, t.adminKey, 'GET', `/v1/volunteers?communityId=${a.community.id}`))).toEqual([va.id]);
    expect(ids(await call(t.app, a.communityAdminKey, 'GET', '/v1/volunteers'))).toEqual([va.id]);
    expect(ids(await call(t.app, a.communityAdminKey, 'GET', `/v1/volunteers?communityId=${b.community.id}`))).toEqual([]);
    const all = ids(await call(t.app, t.adminKey, 'GET', '/v1/volunteers?limit=500'));
    expect(all).toEqual(expect.arrayContaining([va.id, vb.id]));
  });

  test('filters by organizationId (current members only) and by status', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const member = await createVolunteer(t.app, communityAdminKey, community.id);
    const former = await createVolunteer(t.app, communityAdminKey, community.id);
    const outsider = await createVolunteer(t.app, communityAdminKey, community.id);
    for (const v of [member, former]) await call(t.app, communityAdminKey, 'POST', `/v1/organizations/${organization.id}/members`, { volunteerId: v.id });
    expect((await call(t.app, communityAdminKey, 'DELETE', `/v1/organizations/${organization.id}/members/${former.id}`)).statusCode).toBe(204);
    expect(ids(await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?organizationId=${organization.id}`))).toEqual([member.id]);
    await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${outsider.id}`, { status: 'inactive' });
    expect(ids(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?status=inactive'))).toEqual([outsider.id]);
    expect(ids(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?status=active'))).toEqual([member.id, former.id]);
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?status=retired'), 400, 'status');
  });

  test('q matches part of a name, a phone in any accepted form or its last digits, and a volunteer code', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const zhang = await createVolunteer(t.app, communityAdminKey, community.id, { name: '张三丰', phone: '13700001111' });
    const li = await createVolunteer(t.app, communityAdminKey, community.id, { name: '李四', phone: '13800002222' });
    const q = async (value: string) => ids(await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?q=${encodeURIComponent(value)}`));
    expect(await q('三丰')).toEqual([zhang.id]);
    expect(await q('13800002222')).toEqual([li.id]);
    expect(await q('+86 138-0000-2222')).toEqual([li.id]);
    expect(await q('1111')).toEqual([zhang.id]);
    expect(await q(li.volunteerCode)).toEqual([li.id]);
    expect(await q(li.volunteerCode.toLowerCase())).toEqual([li.id]);
    expect(await q('%')).toEqual([]);
    expect(await q('王')).toEqual([]);
  });

  test('updatedSince returns volunteers changed at or after the instant', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const old = await createVolunteer(t.app, communityAdminKey, community.id);
    const changed = await createVolunteer(t.app, communityAdminKey, community.id);
    await sleep(20);
    const since = new Date().toISOString();
    await sleep(5);
    const patched = await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${changed.id}`, { skills: ['绿化'] });
    expect(patched.json().updatedAt > changed.updatedAt).toBe(true);
    expect(ids(await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?updatedSince=${encodeURIComponent(since)}`))).toEqual([changed.id]);
    const withOffset = since.replace('Z', '+00:00');
    expect(ids(await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?updatedSince=${encodeURIComponent(withOffset)}`))).toEqual([changed.id]);
    expect(ids(await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?updatedSince=${encodeURIComponent(old.createdAt)}`))).toEqual([old.id, changed.id]);
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?updatedSince=yesterday'), 400, 'updatedSince');
  });

  test('paginates with cursors: pages of two, no repeats, null cursor on the last page', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const created: string[] = [];
    for (let i = 0; i < 5; i += 1) created.push((await createVolunteer(t.app, communityAdminKey, community.id)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((v: { id: string }) => v.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  test('a bad cursor or limit is a 400 problem', async () => {
    const { communityAdminKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?cursor=bm90LWEtdXVpZA'), 400, 'cursor');
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?limit=501'), 400, 'limit');
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?limit=0'), 400, 'limit');
  });
});

describe('volunteer scope', () => {
  test('community A\'s admin and coordinator get 404 on community B\'s volunteers', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const vb = await createVolunteer(t.app, b.coordinatorKey, b.community.id);
    for (const key of [a.communityAdminKey, a.coordinatorKey]) {
      expectProblem(await call(t.app, key, 'GET', `/v1/volunteers/${vb.id}`), 404);
      expectProblem(await call(t.app, key, 'PATCH', `/v1/volunteers/${vb.id}`, { name: '越界' }), 404);
      expect(ids(await call(t.app, key, 'GET', `/v1/volunteers?communityId=${b.community.id}`))).toEqual([]);
    }
    expect((await call(t.app, b.communityAdminKey, 'GET', `/v1/volunteers/${vb.id}`)).json().name).toBe(vb.name);
  });

  test('a coordinator sees only its organization\'s current members; others in the same community are 404', async () => {
    const { community, organization, communityAdminKey, coordinatorKey } = await createTenant(t.app, t.adminKey);
    const otherOrg = await createOrganization(t.app, communityAdminKey, community.id);
    const otherCoordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: otherOrg.id });
    const mine = await createVolunteer(t.app, coordinatorKey, community.id);
    const theirs = await createVolunteer(t.app, otherCoordinator, community.id);
    const unattached = await createVolunteer(t.app, communityAdminKey, community.id);
    expect(ids(await call(t.app, coordinatorKey, 'GET', '/v1/volunteers'))).toEqual([mine.id]);
    expect(ids(await call(t.app, coordinatorKey, 'GET', `/v1/volunteers?organizationId=${otherOrg.id}`))).toEqual([]);
    for (const v of [theirs, unattached]) {
      expectProblem(await call(t.app, coordinatorKey, 'GET', `/v1/volunteers/${v.id}`), 404);
      expectProblem(await call(t.app, coordinatorKey, 'PATCH', `/v1/volunteers/${v.id}`, { name: '越界' }), 404);
    }
    expect((await call(t.app, communityAdminKey, 'DELETE', `/v1/organizations/${organization.id}/members/${mine.id}`)).statusCode).toBe(204);
    expectProblem(await call(t.app, coordinatorKey, 'GET', `/v1/volunteers/${mine.id}`), 404);
    expect(ids(await call(t.app, coordinatorKey, 'GET', '/v1/volunteers'))).toEqual([]);
  });

  test('an unknown id is 404 and a malformed one 400, both as problems', async () => {
    const { communityAdminKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers/0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70'), 404);
    expectProblem(await call(t.app, communityAdminKey, 'GET', '/v1/volunteers/not-a-uuid'), 400);
  });
});
