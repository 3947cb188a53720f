import { createLedgerTenant } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { act, createKeyWithId, ENTRIES, entryBody, fieldsOf, recorded, type Ledger } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** A ledger tenant plus a coordinator key whose id is known, for provenance checks. */
async function tenantWithKnownKeys() {
  const l = await createLedgerTenant(t.app, t.adminKey);
  const coordinator = await createKeyWithId(t.app, t.adminKey, { role: 'coordinator', organizationId: l.organization.id });
  const communityAdmin = await createKeyWithId(t.app, t.adminKey, { role: 'community_admin', communityId: l.community.id });
  return { l, coordinator, communityAdmin };
}

const auditActions = async (key: string, id: string): Promise<string[]> => {
  const res = await call(t.app, key, 'GET', `/v1/audit-events?entityId=${id}&limit=500`);
  expect(res.statusCode).toBe(200);
  return res.json().data.map((e: { action: string }) => e.action);
};

/** Brings a fresh entry into `status` and returns it. */
async function entryIn(l: Ledger, status: 'pending' | 'approved' | 'rejected' | 'voided') {
  const entry = await recorded(t.app, l.coordinatorKey, entryBody(l));
  if (status === 'rejected') await act(t.app, l.coordinatorKey, entry.id, 'reject');
  if (status === 'approved' || status === 'voided') await act(t.app, l.coordinatorKey, entry.id, 'approve');
  if (status === 'voided') await act(t.app, l.coordinatorKey, entry.id, 'void');
  return entry;
}

describe('Service entry lifecycle › provenance and audit', () => {
  test('record → approve → void keeps who did what and when, and an audit event for each step', async () => {
    const { l, coordinator, communityAdmin } = await tenantWithKnownKeys();
    const entry = await recorded(t.app, coordinator.secret, entryBody(l));
    expect(entry).toMatchObject({ status: 'pending', recordedByKeyId: coordinator.id, approvedByKeyId: null, approvedAt: null, voidedByKeyId: null, voidedAt: null, voidReason: null });
    const approved = await act(t.app, coordinator.secret, entry.id, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approvedByKeyId: coordinator.id, recordedByKeyId: coordinator.id });
    expect(Date.parse(approved.json().approvedAt)).toBeGreaterThanOrEqual(Date.parse(entry.createdAt));
    const voided = await act(t.app, communityAdmin.secret, entry.id, 'void', 'hours belong to another volunteer');
    expect(voided.statusCode).toBe(200);
    expect(voided.json()).toMatchObject({
      status: 'voided', voidedByKeyId: communityAdmin.id, voidReason: 'hours belong to another volunteer',
      approvedByKeyId: coordinator.id, approvedAt: approved.json().approvedAt, minutes: entry.minutes,
    });
    expect(Date.parse(voided.json().voidedAt)).toBeGreaterThanOrEqual(Date.parse(approved.json().approvedAt));
    expect(await auditActions(t.adminKey, entry.id)).toEqual(['service_entry.recorded', 'service_entry.approved', 'service_entry.voided']);
  });

  test('reject keeps who, when and why, and audits recorded then rejected with before and after', async () => {
    const { l, communityAdmin } = await tenantWithKnownKeys();
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l));
    const rejected = await act(t.app, communityAdmin.secret, entry.id, 'reject', 'no sign-in sheet');
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectedByKeyId: communityAdmin.id, rejectionReason: 'no sign-in sheet', approvedByKeyId: null });
    expect(rejected.json().rejectedAt).toEqual(expect.any(String));
    const events = (await call(t.app, l.communityAdminKey, 'GET', `/v1/audit-events?entityId=${entry.id}`)).json().data;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['service_entry.recorded', 'service_entry.rejected']);
    expect(events[1]).toMatchObject({ actorKeyId: communityAdmin.id, entityType: 'service_entry', before: { status: 'pending' }, after: { status: 'rejected', rejectionReason: 'no sign-in sheet' } });
  });

  test.each(['reject', 'void'] as const)('%s without a reason answers 422 naming reason and changes nothing', async (action) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await entryIn(l, action === 'void' ? 'approved' : 'pending');
    for (const body of [{}, { reason: '' }]) {
      const res = await call(t.app, l.coordinatorKey, 'POST', `${ENTRIES}/${entry.id}/${action}`, body);
      expectProblem(res, 422, 'validation_failed');
      expect(fieldsOf(res)).toEqual(['reason']);
    }
    expect((await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json().status).toBe(action === 'void' ? 'approved' : 'pending');
  });
});

describe('Service entry lifecycle › transitions allowed only from the right state', () => {
  test.each([
    ['approve', 'approved'], ['approve', 'rejected'], ['approve', 'voided'],
    ['reject', 'approved'], ['reject', 'rejected'], ['reject', 'voided'],
    ['void', 'pending'], ['void', 'rejected'], ['void', 'voided'],
  ] as const)('%s of a %s entry answers 409 and leaves it as it was', async (action, status) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await entryIn(l, status);
    const before = (await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json();
    const res = await act(t.app, l.coordinatorKey, entry.id, action);
    expectProblem(res, 409, 'conflict');
    expect((await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json()).toEqual(before);
  });

  test('two parallel approvals of one entry: exactly one 200 and one 409, and one approved audit event', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l));
    const answers = await Promise.all([act(t.app, l.coordinatorKey, entry.id, 'approve'), act(t.app, l.communityAdminKey, entry.id, 'approve')]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await auditActions(t.adminKey, entry.id)).toEqual(['service_entry.recorded', 'service_entry.approved']);
  });

  test('a parallel reject and void of one pending entry: the reject wins, the void answers 409', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l));
    const [rejected, voided] = await Promise.all([act(t.app, l.coordinatorKey, entry.id, 'reject'), act(t.app, l.communityAdminKey, entry.id, 'void')]);
    expect([rejected.statusCode, voided.statusCode]).toEqual([200, 409]);
    expect((await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json().status).toBe('rejected');
  });

  test('approve, reject, void and PATCH of an unknown id answer 404', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const missing = '01900000-0000-7000-8000-000000000000';
    for (const action of ['approve', 'reject', 'void'] as const) expectProblem(await act(t.app, l.coordinatorKey, missing, action), 404, 'not_found');
    expectProblem(await call(t.app, l.coordinatorKey, 'PATCH', `${ENTRIES}/${missing}`, { minutes: 5 }), 404, 'not_found');
    expectProblem(await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${missing}`), 404, 'not_found');
  });
});

describe('PATCH /v1/service-entries/:id', () => {
  test('corrects a pending entry, moves its minutes between days, and audits the correction', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1000 }));
    const res = await call(t.app, l.coordinatorKey, 'PATCH', `${ENTRIES}/${entry.id}`, {
      minutes: 1200, categoryId: l.categoryByCode.home_repair, description: '修水管', servedOn: entry.servedOn,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: entry.id, status: 'pending', minutes: 1200, categoryId: l.categoryByCode.home_repair, description: '修水管' });
    expect(Date.parse(res.json().updatedAt)).toBeGreaterThanOrEqual(Date.parse(entry.updatedAt));
    // The old 1000 no longer count: 240 more fit on that day, 241 do not.
    const sameDay = entryBody(l, { servedOn: entry.servedOn });
    expect((await call(t.app, l.coordinatorKey, 'POST', ENTRIES, { ...sameDay, minutes: 241 })).statusCode).toBe(422);
    expect((await call(t.app, l.coordinatorKey, 'POST', ENTRIES, { ...sameDay, minutes: 240 })).statusCode).toBe(201);
    const actions = (await call(t.app, t.adminKey, 'GET', `/v1/audit-events?entityId=${entry.id}`)).json().data;
    expect(actions.map((e: { action: string }) => e.action)).toEqual(['service_entry.recorded', 'service_entry.corrected']);
    expect(actions[1]).toMatchObject({ before: { minutes: 1000 }, after: { minutes: 1200 } });
  });

  test('moving an entry to another day frees the old day and fills the new one', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440, servedOn: '2026-01-10' }));
    const moved = await call(t.app, l.coordinatorKey, 'PATCH', `${ENTRIES}/${entry.id}`, { servedOn: '2026-01-11' });
    expect(moved.statusCode).toBe(200);
    expect((await call(t.app, l.coordinatorKey, 'POST', ENTRIES, entryBody(l, { minutes: 1440, servedOn: '2026-01-10' }))).statusCode).toBe(201);
    expect((await call(t.app, l.coordinatorKey, 'POST', ENTRIES, entryBody(l, { minutes: 1, servedOn: '2026-01-11' }))).statusCode).toBe(422);
  });

  test('a correction that would break a rule answers 422 naming the field and changes nothing', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await createLedgerTenant(t.app, t.adminKey);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1000 }));
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 400 }));
    const cases: [Record<string, unknown>, string][] = [
      [{ minutes: 441 }, 'minutes'],
      [{ servedOn: '2999-01-01' }, 'servedOn'],
      [{ categoryId: other.categoryByCode.home_repair }, 'categoryId'],
      [{ startedAt: `${entry.servedOn}T09:00:00+08:00` }, 'endedAt'],
    ];
    for (const [body, field] of cases) {
      const res = await call(t.app, l.coordinatorKey, 'PATCH', `${ENTRIES}/${entry.id}`, body);
      expectProblem(res, 422, 'rule_violated');
      expect(fieldsOf(res)).toEqual([field]);
    }
    expect((await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json()).toEqual(entry);
  });

  test.each([
    [{}, ''], [{ volunteerId: '01900000-0000-7000-8000-000000000000' }, 'volunteerId'], [{ status: 'approved' }, 'status'], [{ minutes: 0 }, 'minutes'],
  ])('a body %j answers 422 validation_failed', async (body, field) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l));
    const res = await call(t.app, l.coordinatorKey, 'PATCH', `${ENTRIES}/${entry.id}`, body);
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual([field]);
  });

  test.each(['approved', 'rejected', 'voided'] as const)('a %s entry never changes: PATCH answers 409', async (status) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await entryIn(l, status);
    const before = (await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json();
    const res = await call(t.app, l.communityAdminKey, 'PATCH', `${ENTRIES}/${entry.id}`, { minutes: 5 });
    expectProblem(res, 409, 'conflict');
    expect((await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`)).json()).toEqual(before);
  });
});
