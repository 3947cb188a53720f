import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../src/db/client.js';
import { organizations, volunteers } from '../../src/db/schema/index.js';
import { call, createTestApp, type Response, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait.js';
import { createKey, createOrganization, createTenant, createVolunteer } from '../helpers/factories.js';
import { auditOf, expectProblem } from '../volunteers/support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** Resolves once another session waits for `tx`'s transaction (a row lock it holds); fails after 5 s. */
async function someoneWaitsFor(tx: Executor): Promise<void> {
  await waitFor('a session waiting for the transaction', async () => {
    const { rows } = await tx.execute(sql`select count(*)::int as waiting from pg_locks where not granted and locktype = 'transactionid' and transactionid = pg_current_xact_id()::xid`) as unknown as { rows: Array<{ waiting: number }> };
    return rows[0]!.waiting > 0 || undefined;
  }, 5_000, 20);
}

const membersUrl = (organizationId: string) => `/v1/organizations/${organizationId}/members`;
const join = (key: string, organizationId: string, volunteerId: string) => call(t.app, key, 'POST', membersUrl(organizationId), { volunteerId });
const memberIds = async (key: string, organizationId: string): Promise<string[]> => {
  const res = await call(t.app, key, 'GET', `${membersUrl(organizationId)}?limit=500`);
  expect(res.statusCode).toBe(200);
  return res.json().data.map((m: { volunteerId: string }) => m.volunteerId);
};

describe('POST /v1/organizations/{id}/members', () => {
  test('enrols a volunteer of the same community and audits membership.created', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { name: '成员甲' });
    const res = await join(communityAdminKey, organization.id, v.id);
    expect(res.statusCode).toBe(201);
    const membership = res.json();
    expect(membership).toMatchObject({ organizationId: organization.id, volunteerId: v.id, volunteerCode: v.volunteerCode, name: '成员甲', volunteerStatus: 'active' });
    expect(Number.isNaN(Date.parse(membership.joinedAt))).toBe(false);
    const events = await auditOf(t.app, communityAdminKey, membership.id);
    expect(events.map((e) => e.action)).toEqual(['membership.created']);
    expect(events[0]!.after).toEqual({ organizationId: organization.id, volunteerId: v.id });
  });

  test('joining twice is idempotent: 201 then 200 with the same membership, one member, one audit event', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    const first = await join(communityAdminKey, organization.id, v.id);
    const second = await join(communityAdminKey, organization.id, v.id);
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(second.json().id).toBe(first.json().id);
    expect(await memberIds(communityAdminKey, organization.id)).toEqual([v.id]);
    expect(await auditOf(t.app, communityAdminKey, first.json().id)).toHaveLength(1);
  });

  test('two concurrent joins make one membership', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    const results = await Promise.all([join(communityAdminKey, organization.id, v.id), join(communityAdminKey, organization.id, v.id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 201]);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect(await memberIds(communityAdminKey, organization.id)).toEqual([v.id]);
  });

  test('a volunteer of another community is 422 naming volunteerId, and nothing is stored', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const vb = await createVolunteer(t.app, b.communityAdminKey, b.community.id);
    expectProblem(await join(t.adminKey, a.organization.id, vb.id), 422, 'volunteerId');
    expectProblem(await join(a.communityAdminKey, a.organization.id, '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70'), 422, 'volunteerId');
    expect(await memberIds(t.adminKey, a.organization.id)).toEqual([]);
  });

  test('a bad body is 422 naming the field', async () => {
    const { organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, communityAdminKey, 'POST', membersUrl(organization.id), { volunteerId: 'nobody' }), 422, 'volunteerId');
    expectProblem(await call(t.app, communityAdminKey, 'POST', membersUrl(organization.id), {}), 422, 'volunteerId');
  });

  test('an archived organization refuses new members with 422', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const organization = await createOrganization(t.app, communityAdminKey, community.id);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expect((await call(t.app, communityAdminKey, 'POST', `/v1/organizations/${organization.id}/archive`)).statusCode).toBe(200);
    expectProblem(await join(communityAdminKey, organization.id, v.id), 422);
    expect(await memberIds(communityAdminKey, organization.id)).toEqual([]);
  });

  test('a withdrawn volunteer cannot join (422 naming volunteerId)', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${v.id}`, { status: 'withdrawn' });
    expectProblem(await join(communityAdminKey, organization.id, v.id), 422, 'volunteerId');
    expect(await memberIds(communityAdminKey, organization.id)).toEqual([]);
  });

  // A change committed between a join's first reads and its insert: the join must see it. On a
  // server the change's transaction commits only once the join waits for its lock; embedded PGlite
  // runs one transaction at a time, so there the join starts after it.
  const racedJoin = async (change: (tx: Executor) => Promise<unknown>, join: () => Promise<Response>): Promise<Response> => {
    let joining: Promise<Response> | undefined;
    await t.app.db.transaction(async (tx) => {
      await change(tx);
      joining = join();
      if (t.app.database.kind === 'postgres') await someoneWaitsFor(tx);
    });
    return joining!;
  };

  test('an organization archived while a join is under way: the join waits for it, then 422 and no membership', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    const res = await racedJoin(
      (tx) => tx.update(organizations).set({ archivedAt: new Date() }).where(eq(organizations.id, organization.id)),
      () => join(communityAdminKey, organization.id, v.id),
    );
    expectProblem(res, 422);
    expect(await memberIds(t.adminKey, organization.id)).toEqual([]);
  });

  test('a volunteer withdrawn while joining: the join waits for it, then 422 naming volunteerId and no membership', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    const res = await racedJoin(
      (tx) => tx.update(volunteers).set({ status: 'withdrawn' }).where(eq(volunteers.id, v.id)),
      () => join(communityAdminKey, organization.id, v.id),
    );
    expectProblem(res, 422, 'volunteerId');
    expect(await memberIds(t.adminKey, organization.id)).toEqual([]);
  });

  test('a coordinator enrols volunteers of its community in its own organization, and then sees them', async () => {
    const { community, organization, communityAdminKey, coordinatorKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expectProblem(await call(t.app, coordinatorKey, 'GET', `/v1/volunteers/${v.id}`), 404);
    expect((await join(coordinatorKey, organization.id, v.id)).statusCode).toBe(201);
    expect((await call(t.app, coordinatorKey, 'GET', `/v1/volunteers/${v.id}`)).statusCode).toBe(200);
  });
});

describe('GET /v1/organizations/{id}/members', () => {
  test('lists current members in pages with cursors', async () => {
    const { community, organization, communityAdminKey, coordinatorKey } = await createTenant(t.app, t.adminKey);
    const joined: string[] = [];
    for (let i = 0; i < 5; i += 1) joined.push((await createVolunteer(t.app, coordinatorKey, community.id)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(t.app, communityAdminKey, 'GET', `${membersUrl(organization.id)}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.length).toBeLessThanOrEqual(2);
      seen.push(...res.json().data.map((m: { volunteerId: string }) => m.volunteerId));
      cursor = res.json().nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(joined);
    expectProblem(await call(t.app, communityAdminKey, 'GET', `${membersUrl(organization.id)}?cursor=%21%21`), 400, 'cursor');
  });

  test('an unknown organization is 404', async () => {
    const { communityAdminKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, communityAdminKey, 'GET', membersUrl('0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70')), 404);
  });
});

describe('DELETE /v1/organizations/{id}/members/{volunteerId}', () => {
  test('ends the membership with 204: the volunteer leaves the list, the end is audited, and rejoining makes a new membership', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    const stay = await createVolunteer(t.app, communityAdminKey, community.id);
    const first = (await join(communityAdminKey, organization.id, v.id)).json();
    await join(communityAdminKey, organization.id, stay.id);
    const res = await call(t.app, communityAdminKey, 'DELETE', `${membersUrl(organization.id)}/${v.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await memberIds(communityAdminKey, organization.id)).toEqual([stay.id]);
    const events = await auditOf(t.app, communityAdminKey, first.id);
    expect(events.map((e) => e.action)).toEqual(['membership.created', 'membership.ended']);
    expect(events[1]!.after.leftAt).toEqual(expect.any(String));
    const rejoin = await join(communityAdminKey, organization.id, v.id);
    expect(rejoin.statusCode).toBe(201);
    expect(rejoin.json().id).not.toBe(first.id);
  });

  test('removing a non-member, or a member twice, is 404', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expectProblem(await call(t.app, communityAdminKey, 'DELETE', `${membersUrl(organization.id)}/${v.id}`), 404);
    await join(communityAdminKey, organization.id, v.id);
    const once = await Promise.all([1, 2].map(() => call(t.app, communityAdminKey, 'DELETE', `${membersUrl(organization.id)}/${v.id}`)));
    expect(once.map((r) => r.statusCode).sort()).toEqual([204, 404]);
    expectProblem(await call(t.app, communityAdminKey, 'DELETE', `${membersUrl(organization.id)}/${v.id}`), 404);
  });
});

describe('membership scope', () => {
  test('a coordinator of another organization gets 404 on every members endpoint and changes nothing', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const otherOrg = await createOrganization(t.app, communityAdminKey, community.id);
    const otherCoordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: otherOrg.id });
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    await join(communityAdminKey, organization.id, v.id);
    const stranger = await createVolunteer(t.app, communityAdminKey, community.id);
    expectProblem(await call(t.app, otherCoordinator, 'GET', membersUrl(organization.id)), 404);
    expectProblem(await join(otherCoordinator, organization.id, stranger.id), 404);
    expectProblem(await call(t.app, otherCoordinator, 'DELETE', `${membersUrl(organization.id)}/${v.id}`), 404);
    expect(await memberIds(communityAdminKey, organization.id)).toEqual([v.id]);
  });

  test('another community\'s admin and coordinator get 404; a reporter gets 403', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, a.coordinatorKey, a.community.id);
    for (const key of [b.communityAdminKey, b.coordinatorKey]) {
      expectProblem(await call(t.app, key, 'GET', membersUrl(a.organization.id)), 404);
      expectProblem(await call(t.app, key, 'DELETE', `${membersUrl(a.organization.id)}/${v.id}`), 404);
    }
    expectProblem(await call(t.app, a.reporterKey, 'GET', membersUrl(a.organization.id)), 403);
    expectProblem(await join(a.reporterKey, a.organization.id, v.id), 403);
    expectProblem(await call(t.app, a.reporterKey, 'DELETE', `${membersUrl(a.organization.id)}/${v.id}`), 403);
    expect(await memberIds(a.communityAdminKey, a.organization.id)).toEqual([v.id]);
  });

  test('a coordinator may remove its own members', async () => {
    const { community, organization, coordinatorKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, coordinatorKey, community.id);
    expect((await call(t.app, coordinatorKey, 'DELETE', `${membersUrl(organization.id)}/${v.id}`)).statusCode).toBe(204);
    expect(await memberIds(coordinatorKey, organization.id)).toEqual([]);
  });
});
