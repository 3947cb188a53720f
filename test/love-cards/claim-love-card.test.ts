import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createOrganization, createTenant } from '../helpers/factories.js';
import { dateIn } from '../../src/lib/time.js';
import { auditOf, categoryId, claim, expectProblem, storedCards } from './fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const nothingStored = { cards: [], events: 0 };

describe('POST /v1/love-cards', () => {
  test('claims a category for an organization, with a location and an audit event', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const category = await categoryId(t.app, t.adminKey, tenant.community.id);
    const body = { organizationId: tenant.organization.id, categoryId: category, claimedOn: '2026-03-05', pledge: '每月为老人免费维修家电' };
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/love-cards', body);
    expect(res.statusCode).toBe(201);
    const card = res.json();
    expect(res.headers.location).toBe(`/v1/love-cards/${card.id}`);
    expect(card).toMatchObject({ ...body, communityId: tenant.community.id, status: 'active', releasedAt: null });
    expect(Object.keys(card).sort()).toEqual(['categoryId', 'claimedOn', 'communityId', 'createdAt', 'id', 'organizationId', 'pledge', 'releasedAt', 'status', 'updatedAt']);
    expect((await call(t.app, tenant.coordinatorKey, 'GET', `/v1/love-cards/${card.id}`)).json()).toEqual(card);
    const events = await auditOf(t.app, t.adminKey, card.id);
    expect(events.map((e) => e.action)).toEqual(['love_card.claimed']);
    expect(events[0]).toMatchObject({ entityType: 'love_card', communityId: tenant.community.id, after: card });
  });

  test('claimedOn defaults to the community\'s today and pledge to null', async () => {
    const community = await createCommunity(t.app, t.adminKey, { timezone: 'Pacific/Kiritimati' });
    const organization = await createOrganization(t.app, t.adminKey, community.id, { kind: 'enterprise' });
    const card = await claim(t.app, t.adminKey, { organizationId: organization.id, categoryId: await categoryId(t.app, t.adminKey, community.id) });
    expect(card.claimedOn).toBe(dateIn('Pacific/Kiritimati'));
    expect(card.pledge).toBeNull();
  });

  test('a second active claim of the same category gets 409', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const body = { organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, tenant.community.id) };
    const first = await claim(t.app, t.adminKey, body);
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/love-cards', { ...body, pledge: '再认领一次' });
    expectProblem(res, 409);
    expect(res.json().code).toBe('conflict');
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual({ cards: [first.id], events: 1 });
  });

  test('two concurrent claims of the same category: exactly one 201 and one 409', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const body = { organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, tenant.community.id) };
    const results = await Promise.all([
      call(t.app, tenant.communityAdminKey, 'POST', '/v1/love-cards', body),
      call(t.app, tenant.communityAdminKey, 'POST', '/v1/love-cards', body),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const loser = results.find((r) => r.statusCode === 409)!;
    expect(loser.headers['content-type']).toMatch(/^application\/problem\+json/);
    const winner = results.find((r) => r.statusCode === 201)!.json();
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual({ cards: [winner.id], events: 1 });
  });

  test('other organizations and other categories may be claimed alongside', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const neighbour = await createOrganization(t.app, t.adminKey, tenant.community.id, { kind: 'hospital' });
    const homeRepair = await categoryId(t.app, t.adminKey, tenant.community.id, 'home_repair');
    const medical = await categoryId(t.app, t.adminKey, tenant.community.id, 'medical_rescue');
    await claim(t.app, t.adminKey, { organizationId: tenant.organization.id, categoryId: homeRepair });
    await claim(t.app, t.adminKey, { organizationId: tenant.organization.id, categoryId: medical });
    await claim(t.app, t.adminKey, { organizationId: neighbour.id, categoryId: homeRepair });
    expect((await storedCards(t.app, t.adminKey, tenant.community.id)).cards).toHaveLength(3);
  });

  test('a category of another community gets 422 naming categoryId and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const other = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/love-cards', {
      organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, other.community.id),
    });
    expectProblem(res, 422, 'categoryId');
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual(nothingStored);
  });

  test('a category that does not exist gets 422 naming categoryId', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/love-cards', { organizationId: tenant.organization.id, categoryId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70' });
    expectProblem(res, 422, 'categoryId');
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual(nothingStored);
  });

  test('an organization outside the key\'s community gets 422 naming organizationId and stores nothing', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'POST', '/v1/love-cards', {
      organizationId: b.organization.id, categoryId: await categoryId(t.app, t.adminKey, b.community.id),
    });
    expectProblem(res, 422, 'organizationId');
    expect(await storedCards(t.app, t.adminKey, b.community.id)).toEqual(nothingStored);
  });

  test('an archived organization gets 422 naming organizationId and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    await call(t.app, t.adminKey, 'POST', `/v1/organizations/${tenant.organization.id}/archive`);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/love-cards', {
      organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, tenant.community.id),
    });
    expectProblem(res, 422, 'organizationId');
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual(nothingStored);
  });

  test('a pledge over 500 characters, an impossible claimedOn or an unknown property gets 422 naming it', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const body = { organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, tenant.community.id) };
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/love-cards', { ...body, pledge: '爱'.repeat(501) }), 422, 'pledge');
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/love-cards', { ...body, claimedOn: '2026-02-30' }), 422, 'claimedOn');
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/love-cards', { ...body, status: 'released' }), 422, 'status');
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/love-cards', { pledge: 'x' }), 422, 'organizationId');
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual(nothingStored);
    expect((await claim(t.app, t.adminKey, { ...body, pledge: '爱'.repeat(500) })).pledge).toHaveLength(500);
  });

  test('coordinator and reporter keys get 403 and store nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const body = { organizationId: tenant.organization.id, categoryId: await categoryId(t.app, t.adminKey, tenant.community.id) };
    expectProblem(await call(t.app, tenant.coordinatorKey, 'POST', '/v1/love-cards', body), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'POST', '/v1/love-cards', body), 403);
    expect(await storedCards(t.app, t.adminKey, tenant.community.id)).toEqual(nothingStored);
  });
});
