import { createLedgerTenant, createOrganization, registerMember } from '../helpers/factories.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { BATCH, createKeyWithId, daysAgo, entryBody, record } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('Organization approvalPolicy › auto', () => {
  test('an entry recorded by the organization\'s coordinator arrives approved, with the coordinator as approver', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    const coordinator = await createKeyWithId(t.app, t.adminKey, { role: 'coordinator', organizationId: l.organization.id });
    const res = await record(t.app, coordinator.secret, entryBody(l));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'approved', recordedByKeyId: coordinator.id, approvedByKeyId: coordinator.id, approvedAt: expect.any(String) });
    const events = (await call(t.app, l.communityAdminKey, 'GET', `/v1/audit-events?entityId=${res.json().id}`)).json().data;
    expect(events).toEqual([expect.objectContaining({ action: 'service_entry.recorded', actorKeyId: coordinator.id, after: expect.objectContaining({ status: 'approved', source: 'coordinator' }) })]);
  });

  test('an entry recorded by a community admin arrives approved', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    const res = await record(t.app, l.communityAdminKey, entryBody(l));
    expect(res.statusCode).toBe(201);
    expect(res.json().status).toBe('approved');
  });

  test.each(['check_in', 'import'])('source %s from the coordinator arrives approved too', async (source) => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { source }))).json().status).toBe('approved');
  });

  test('a self-report waits for a person, even from a community admin', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    for (const key of [l.coordinatorKey, l.communityAdminKey]) {
      const res = await record(t.app, key, entryBody(l, { source: 'self_report', minutes: 10 }));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ status: 'pending', source: 'self_report', approvedByKeyId: null, approvedAt: null });
    }
  });

  test('a batch follows the policy item by item', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    const res = await call(t.app, l.coordinatorKey, 'POST', BATCH, { entries: [
      entryBody(l, { servedOn: daysAgo(4) }), entryBody(l, { servedOn: daysAgo(5), source: 'self_report' }),
    ] });
    expect(res.statusCode).toBe(201);
    expect(res.json().data.map((e: { status: string; source: string }) => [e.source, e.status])).toEqual([['import', 'approved'], ['self_report', 'pending']]);
  });

  test('auto-approved minutes count against the day cap like any other', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440 }))).json().status).toBe('approved');
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1 }))).statusCode).toBe(422);
  });

  test('the policy is the organization\'s: another organization of the community stays manual', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    const manual = await createOrganization(t.app, t.adminKey, l.community.id);
    const member = await registerMember(t.app, l.communityAdminKey, l.community.id, manual.id);
    const res = await record(t.app, l.communityAdminKey, entryBody(l, { organizationId: manual.id, volunteerId: member.id }));
    expect(res.json().status).toBe('pending');
  });
});

describe('Organization approvalPolicy › manual (the default)', () => {
  test('entries from the coordinator and the community admin stay pending until approved', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const organization = (await call(t.app, t.adminKey, 'GET', `/v1/organizations/${l.organization.id}`)).json();
    expect(organization.approvalPolicy).toBe('manual');
    for (const key of [l.coordinatorKey, l.communityAdminKey]) {
      const res = await record(t.app, key, entryBody(l, { minutes: 10 }));
      expect(res.json()).toMatchObject({ status: 'pending', approvedByKeyId: null, approvedAt: null });
    }
  });

  test('switching the policy back to manual makes new entries wait again', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 10 }))).json().status).toBe('approved');
    expect((await call(t.app, l.communityAdminKey, 'PATCH', `/v1/organizations/${l.organization.id}`, { approvalPolicy: 'manual' })).statusCode).toBe(200);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 10 }))).json().status).toBe('pending');
  });
});
