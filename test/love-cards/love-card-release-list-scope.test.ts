import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createKey, createOrganization, createTenant } from '../helpers/factories.js';
import { auditOf, categoryId, claim, expectProblem, ids } from './fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

async function tenantWithCard() {
  const tenant = await createTenant(t.app, t.adminKey);
  const category = await categoryId(t.app, t.adminKey, tenant.community.id);
  const card = await claim(t.app, t.adminKey, { organizationId: tenant.organization.id, categoryId: category, claimedOn: '2026-03-05' });
  return { tenant, category, card };
}

describe('POST /v1/love-cards/{id}/release', () => {
  test('sets status released and releasedAt, with an audit event holding before and after', async () => {
    const { tenant, card } = await tenantWithCard();
    const res = await call(t.app, tenant.communityAdminKey, 'POST', `/v1/love-cards/${card.id}/release`);
    expect(res.statusCode).toBe(200);
    const released = res.json();
    expect(released).toMatchObject({ id: card.id, status: 'released', claimedOn: '2026-03-05' });
    expect(Date.parse(released.releasedAt)).toBeGreaterThanOrEqual(Date.parse(card.createdAt));
    const events = await auditOf(t.app, t.adminKey, card.id);
    expect(events.map((e) => e.action)).toEqual(['love_card.claimed', 'love_card.released']);
    expect(events[1]).toMatchObject({ before: card, after: released });
  });

  test('releasing twice gets 409 and the first release stands', async () => {
    const { card } = await tenantWithCard();
    const first = (await call(t.app, t.adminKey, 'POST', `/v1/love-cards/${card.id}/release`)).json();
    const res = await call(t.app, t.adminKey, 'POST', `/v1/love-cards/${card.id}/release`);
    expectProblem(res, 409);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/love-cards/${card.id}`)).json()).toEqual(first);
    expect((await auditOf(t.app, t.adminKey, card.id)).map((e) => e.action)).toEqual(['love_card.claimed', 'love_card.released']);
  });

  test('after a release the organization may claim the category again', async () => {
    const { tenant, category, card } = await tenantWithCard();
    await call(t.app, t.adminKey, 'POST', `/v1/love-cards/${card.id}/release`);
    const again = await claim(t.app, tenant.communityAdminKey, { organizationId: tenant.organization.id, categoryId: category });
    expect(again.status).toBe('active');
    expect(again.id).not.toBe(card.id);
  });
});

describe('GET /v1/love-cards', () => {
  test('filters by communityId, organizationId, categoryId and status', async () => {
    const { tenant, category, card } = await tenantWithCard();
    const neighbour = await createOrganization(t.app, t.adminKey, tenant.community.id, { kind: 'shop' });
    const patrol = await categoryId(t.app, t.adminKey, tenant.community.id, 'public_security_patrol');
    const second = await claim(t.app, t.adminKey, { organizationId: tenant.organization.id, categoryId: patrol });
    const third = await claim(t.app, t.adminKey, { organizationId: neighbour.id, categoryId: category });
    await call(t.app, t.adminKey, 'POST', `/v1/love-cards/${second.id}/release`);
    await tenantWithCard();
    const base = `/v1/love-cards?communityId=${tenant.community.id}`;
    expect(ids(await call(t.app, t.adminKey, 'GET', base))).toEqual([card.id, second.id, third.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&organizationId=${tenant.organization.id}`))).toEqual([card.id, second.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&categoryId=${category}`))).toEqual([card.id, third.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&status=released`))).toEqual([second.id]);
    expect(ids(await call(t.app, t.adminKey, 'GET', `${base}&status=active&organizationId=${tenant.organization.id}`))).toEqual([card.id]);
    expectProblem(await call(t.app, t.adminKey, 'GET', `${base}&status=lost`), 400, 'status');
  });

  test('pages with limit and cursor until nextCursor is null', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const codes = ['civilization_guidance', 'home_repair', 'loving_care'];
    const created: string[] = [];
    for (const code of codes) {
      created.push((await claim(t.app, t.adminKey, { organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, tenant.community.id, code) })).id);
    }
    const first = await call(t.app, tenant.communityAdminKey, 'GET', '/v1/love-cards?limit=2');
    expect(ids(first)).toEqual(created.slice(0, 2));
    expect(typeof first.json().nextCursor).toBe('string');
    const second = await call(t.app, tenant.communityAdminKey, 'GET', `/v1/love-cards?limit=2&cursor=${first.json().nextCursor}`);
    expect(ids(second)).toEqual(created.slice(2));
    expect(second.json().nextCursor).toBeNull();
  });
});

describe('love cards scope', () => {
  test('community A\'s community admin and coordinator get 404 on B\'s card and do not list it', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const { tenant: b, card } = await tenantWithCard();
    for (const key of [a.communityAdminKey, a.coordinatorKey]) {
      const res = await call(t.app, key, 'GET', `/v1/love-cards/${card.id}`);
      expectProblem(res, 404);
      expect(res.json().code).toBe('not_found');
      expect(ids(await call(t.app, key, 'GET', `/v1/love-cards?communityId=${b.community.id}`))).toEqual([]);
    }
    expectProblem(await call(t.app, a.communityAdminKey, 'POST', `/v1/love-cards/${card.id}/release`), 404);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/love-cards/${card.id}`)).json()).toEqual(card);
  });

  test('a coordinator reads its own organization\'s cards only; another organization\'s in the same community is 404', async () => {
    const { tenant, category, card } = await tenantWithCard();
    const neighbour = await createOrganization(t.app, t.adminKey, tenant.community.id, { kind: 'school' });
    const neighbourCoordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: neighbour.id });
    const theirs = await claim(t.app, t.adminKey, { organizationId: neighbour.id, categoryId: category });
    expect((await call(t.app, tenant.coordinatorKey, 'GET', `/v1/love-cards/${card.id}`)).json()).toEqual(card);
    expectProblem(await call(t.app, neighbourCoordinator, 'GET', `/v1/love-cards/${card.id}`), 404);
    expect(ids(await call(t.app, tenant.coordinatorKey, 'GET', '/v1/love-cards'))).toEqual([card.id]);
    expect(ids(await call(t.app, tenant.coordinatorKey, 'GET', `/v1/love-cards?organizationId=${neighbour.id}`))).toEqual([]);
    expect(ids(await call(t.app, neighbourCoordinator, 'GET', `/v1/love-cards?communityId=${tenant.community.id}`))).toEqual([theirs.id]);
  });

  test('a coordinator may not release a card: 403, and the card stays active', async () => {
    const { tenant, card } = await tenantWithCard();
    expectProblem(await call(t.app, tenant.coordinatorKey, 'POST', `/v1/love-cards/${card.id}/release`), 403);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/love-cards/${card.id}`)).json().status).toBe('active');
  });

  test('a reporter gets 403 on every love-card endpoint', async () => {
    const { tenant, card } = await tenantWithCard();
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', '/v1/love-cards'), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', `/v1/love-cards/${card.id}`), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'POST', `/v1/love-cards/${card.id}/release`), 403);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/love-cards/${card.id}`)).json()).toEqual(card);
  });

  test('an unknown id gets 404 as problem+json', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/love-cards/0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70'), 404);
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/love-cards/0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70/release'), 404);
  });
});
