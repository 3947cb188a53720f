import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createOrganization, createTenant } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { expectProblem } from '../helpers/problems.js';

let t: TestApp;
/** An admin key minted over the API, so tests know its id and can check `actorKeyId`. */
let actor: { id: string; secret: string };
beforeAll(async () => {
  t = await createTestApp();
  actor = (await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'audited admin', role: 'admin' })).json();
});
afterAll(async () => { await t.close(); });

async function eventsOf(entityId: string, key = t.adminKey): Promise<Record<string, any>[]> {
  const res = await call(t.app, key, 'GET', `/v1/audit-events?entityId=${entityId}&limit=500`);
  if (res.statusCode !== 200) throw new Error(`eventsOf: ${res.statusCode} ${res.body}`);
  return res.json().data;
}

describe('GET /v1/audit-events › every change writes an event', () => {
  test('creating a community records who, what, the new state and the request id', async () => {
    const res = await call(t.app, actor.secret, 'POST', '/v1/communities', { name: '审计社区', population: 10 });
    const community = res.json();
    const [event, ...more] = await eventsOf(community.id);
    expect(more).toEqual([]);
    expect(event).toEqual({
      id: expect.any(String), communityId: community.id, actorKeyId: actor.id, action: 'community.created',
      entityType: 'community', entityId: community.id, before: null, after: community,
      requestId: res.headers['x-request-id'], createdAt: expect.any(String),
    });
  });

  test('creating a community also records each of its fourteen default categories as it is then read', async () => {
    const community = await createCommunity(t.app, actor.secret);
    const res = await call(t.app, t.adminKey, 'GET', `/v1/audit-events?communityId=${community.id}&entityType=service_category&limit=500`);
    const events = res.json().data;
    expect(events).toHaveLength(14);
    const categories = (await call(t.app, t.adminKey, 'GET', `/v1/service-categories?communityId=${community.id}&limit=500`)).json().data;
    for (const category of categories) {
      const event = events.find((e: { entityId: string }) => e.entityId === category.id);
      expect(event).toMatchObject({ action: 'service_category.created', actorKeyId: actor.id, before: null, after: category });
    }
  });

  test('patching a community records before and after', async () => {
    const community = await createCommunity(t.app, actor.secret, { population: 100 });
    const patched = (await call(t.app, actor.secret, 'PATCH', `/v1/communities/${community.id}`, { population: 120 })).json();
    const updated = (await eventsOf(community.id)).filter((e) => e.action === 'community.updated');
    expect(updated).toEqual([expect.objectContaining({ actorKeyId: actor.id, entityType: 'community', before: community, after: patched })]);
  });

  test('an organization\'s creation, change and archiving each leave one event; archiving twice leaves one', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const created = await createOrganization(t.app, actor.secret, community.id, { kind: 'shop' });
    const patched = (await call(t.app, actor.secret, 'PATCH', `/v1/organizations/${created.id}`, { kind: 'enterprise' })).json();
    const archived = (await call(t.app, actor.secret, 'POST', `/v1/organizations/${created.id}/archive`)).json();
    await call(t.app, actor.secret, 'POST', `/v1/organizations/${created.id}/archive`);
    const events = await eventsOf(created.id);
    expect(events.map((e) => [e.action, e.entityType, e.actorKeyId, e.communityId])).toEqual([
      ['organization.created', 'organization', actor.id, community.id],
      ['organization.updated', 'organization', actor.id, community.id],
      ['organization.archived', 'organization', actor.id, community.id],
    ]);
    expect(events.map((e) => [e.before, e.after])).toEqual([[null, created], [created, patched], [patched, archived]]);
  });

  test('a service category\'s creation and renaming leave events with before and after', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const created = (await call(t.app, actor.secret, 'POST', '/v1/service-categories', { communityId: community.id, code: 'flood_watch', name: '防汛' })).json();
    const renamed = (await call(t.app, actor.secret, 'PATCH', `/v1/service-categories/${created.id}`, { name: '防汛巡查' })).json();
    const events = await eventsOf(created.id);
    expect(events.map((e) => [e.action, e.actorKeyId, e.before, e.after])).toEqual([
      ['service_category.created', actor.id, null, created],
      ['service_category.updated', actor.id, created, renamed],
    ]);
  });

  test('an API key\'s creation and revocation leave events without the secret; revoking twice leaves one', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const key = (await call(t.app, actor.secret, 'POST', '/v1/api-keys', { name: 'k', role: 'community_admin', communityId: community.id })).json();
    await call(t.app, actor.secret, 'DELETE', `/v1/api-keys/${key.id}`);
    await call(t.app, actor.secret, 'DELETE', `/v1/api-keys/${key.id}`);
    const events = await eventsOf(key.id);
    expect(events.map((e) => [e.action, e.entityType, e.actorKeyId, e.communityId])).toEqual([
      ['api_key.created', 'api_key', actor.id, community.id],
      ['api_key.revoked', 'api_key', actor.id, community.id],
    ]);
    expect(events[1]!.before.revokedAt).toBeNull();
    expect(events[1]!.after.revokedAt).toEqual(expect.any(String));
    expect(JSON.stringify(events)).not.toContain(key.secret);
  });

  test('a community admin\'s change is attributed to its key', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const key = (await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'ca', role: 'community_admin', communityId: tenant.community.id })).json();
    await call(t.app, key.secret, 'PATCH', `/v1/organizations/${tenant.organization.id}`, { name: '改名' });
    const [, updated] = await eventsOf(tenant.organization.id, key.secret);
    expect(updated).toMatchObject({ action: 'organization.updated', actorKeyId: key.id });
  });

  test('rejected writes leave no event', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id, { creditCode: '91350100M000100Y43' });
    const before = (await call(t.app, t.adminKey, 'GET', `/v1/audit-events?communityId=${community.id}&limit=500`)).json().data.length;
    await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: 'dup', kind: 'shop', creditCode: '91350100M000100Y43' });
    await call(t.app, t.adminKey, 'POST', '/v1/service-categories', { communityId: community.id, code: 'home_repair', name: 'dup' });
    await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { starThresholds: [5, 4, 3, 2, 1] });
    await call(t.app, t.adminKey, 'POST', `/v1/organizations/${organization.id}/archive`);
    await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { name: 'archived already' });
    const after = (await call(t.app, t.adminKey, 'GET', `/v1/audit-events?communityId=${community.id}&limit=500`)).json().data;
    expect(after).toHaveLength(before + 1);
    expect(after[after.length - 1].action).toBe('organization.archived');
  });
});

describe('GET /v1/audit-events › reading', () => {
  test('lists oldest first and pages with nextCursor', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const pages = await collectPages(t.app, t.adminKey, `/v1/audit-events?communityId=${community.id}&limit=4`);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 3]);
    const events = pages.flat();
    expect(events[0]!.action).toBe('community.created');
    expect(new Set(events.map((e) => e.id)).size).toBe(15);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort());
  });

  test('filters by entityType', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'GET', `/v1/audit-events?communityId=${community.id}&entityType=community`);
    expect(res.json().data.map((e: { action: string }) => e.action)).toEqual(['community.created']);
  });

  test('a community admin key sees only its community\'s events, even when asking for another', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const own = (await call(t.app, a.communityAdminKey, 'GET', '/v1/audit-events?limit=500')).json().data;
    expect(own.length).toBeGreaterThanOrEqual(17);
    expect(new Set(own.map((e: { communityId: string }) => e.communityId))).toEqual(new Set([a.community.id]));
    expect((await call(t.app, a.communityAdminKey, 'GET', `/v1/audit-events?communityId=${b.community.id}`)).json().data).toEqual([]);
    expect(await eventsOf(b.organization.id, a.communityAdminKey)).toEqual([]);
  });

  test('events of admin keys belong to no community and are hidden from community admins', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const admin = (await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'another admin', role: 'admin' })).json();
    expect(await eventsOf(admin.id)).toEqual([expect.objectContaining({ communityId: null, action: 'api_key.created' })]);
    expect(await eventsOf(admin.id, tenant.communityAdminKey)).toEqual([]);
  });

  test.each(['coordinatorKey', 'reporterKey'] as const)('a %s gets 403', async (role) => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant[role], 'GET', '/v1/audit-events'), 403, 'forbidden');
  });

  test('rejects an entityId that is not a UUID and a bad cursor with 400', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/audit-events?entityId=42'), 400, 'invalid_parameter');
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/audit-events?cursor=bm90LWEtdXVpZA'), 400, 'invalid_cursor');
  });
});
