import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createOrganization, createTenant } from '../helpers/factories.js';
import { addDays, auditActions, createAgreement, expectProblem, todayIn } from './fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('PATCH /v1/agreements/{id}', () => {
  test('changes the title and extends validUntil, with an audit event holding before and after', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    const res = await call(t.app, tenant.communityAdminKey, 'PATCH', `/v1/agreements/${agreement.id}`, { title: '续签协议', validUntil: '2100-06-30' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: agreement.id, title: '续签协议', validUntil: '2100-06-30', signedOn: agreement.signedOn });
    const events = await auditActions(t.app, t.adminKey, agreement.id);
    expect(events.map((e) => e.action)).toEqual(['agreement.created', 'agreement.updated']);
    expect(events[1]!.before).toMatchObject({ title: agreement.title, validUntil: agreement.validUntil });
    expect(events[1]!.after).toEqual(res.json());
  });

  test('validUntil null removes the end date', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant, { validUntil: '2026-01-20' });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/agreements/${agreement.id}`, { validUntil: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ validUntil: null, active: true, status: 'active' });
  });

  test('a signedOn after the stored validUntil gets 422 naming validUntil and changes nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant, { signedOn: '2026-01-15', validUntil: '2026-06-30' });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/agreements/${agreement.id}`, { signedOn: '2026-07-01' });
    expectProblem(res, 422, 'validUntil');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json()).toEqual(agreement);
    expect((await auditActions(t.app, t.adminKey, agreement.id)).map((e) => e.action)).toEqual(['agreement.created']);
  });

  test('an impossible date, an empty body or an unknown property gets 422', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    const url = `/v1/agreements/${agreement.id}`;
    expectProblem(await call(t.app, t.adminKey, 'PATCH', url, { validUntil: '2100-02-30' }), 422, 'validUntil');
    expectProblem(await call(t.app, t.adminKey, 'PATCH', url, {}), 422);
    expectProblem(await call(t.app, t.adminKey, 'PATCH', url, { organizationId: tenant.organization.id }), 422, 'organizationId');
    expect((await call(t.app, t.adminKey, 'GET', url)).json()).toEqual(agreement);
  });

  test('a terminated agreement cannot be patched: 409, unchanged', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    const terminated = (await call(t.app, t.adminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, { reason: '单位迁出' })).json();
    const res = await call(t.app, tenant.communityAdminKey, 'PATCH', `/v1/agreements/${agreement.id}`, { title: '改名' });
    expectProblem(res, 409);
    expect(res.json().code).toBe('conflict');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json()).toEqual(terminated);
  });
});

describe('POST /v1/agreements/{id}/terminate', () => {
  test('ends the agreement with a reason: status terminated, not active, audited', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    const res = await call(t.app, tenant.communityAdminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, { reason: '单位迁出本社区' });
    expect(res.statusCode).toBe(200);
    const terminated = res.json();
    expect(terminated).toMatchObject({ status: 'terminated', active: false, terminationReason: '单位迁出本社区' });
    expect(Date.parse(terminated.terminatedAt)).toBeGreaterThanOrEqual(Date.parse(agreement.createdAt));
    const events = await auditActions(t.app, t.adminKey, agreement.id);
    expect(events.map((e) => e.action)).toEqual(['agreement.created', 'agreement.terminated']);
    expect(events[1]).toMatchObject({ before: { status: 'active', terminatedAt: null }, after: terminated });
  });

  test('a reason is optional and the body may be omitted', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    const res = await call(t.app, t.adminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'terminated', terminationReason: null });
  });

  test('terminating twice gets 409 and the first termination stands', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    const first = (await call(t.app, t.adminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, { reason: '第一次' })).json();
    const res = await call(t.app, t.adminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, { reason: '第二次' });
    expectProblem(res, 409);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json()).toEqual(first);
    expect((await auditActions(t.app, t.adminKey, agreement.id)).map((e) => e.action)).toEqual(['agreement.created', 'agreement.terminated']);
  });

  test('a reason longer than 500 characters gets 422 naming reason', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant);
    expectProblem(await call(t.app, t.adminKey, 'POST', `/v1/agreements/${agreement.id}/terminate`, { reason: 'x'.repeat(501) }), 422, 'reason');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/agreements/${agreement.id}`)).json().status).toBe('active');
  });
});

describe('agreement status', () => {
  test('an agreement past validUntil is expired and not active', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant, { signedOn: '2020-01-01', validUntil: addDays(todayIn(), -1) });
    expect(agreement).toMatchObject({ status: 'expired', active: false });
  });

  test('an agreement whose validUntil is the community\'s today is still active', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant, { signedOn: '2020-01-01', validUntil: todayIn() });
    expect(agreement).toMatchObject({ status: 'active', active: true });
  });

  test('"today" is the community\'s: the same validUntil is expired at UTC+14 and active at UTC-11', async () => {
    // Kiritimati's date is always one day ahead of Pago Pago's, so this holds at any hour.
    const validUntil = todayIn('Pacific/Pago_Pago');
    const statuses: string[] = [];
    for (const timezone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const community = await createCommunity(t.app, t.adminKey, { timezone });
      const organization = await createOrganization(t.app, t.adminKey, community.id);
      const body = { communityId: community.id, organizationId: organization.id, title: '协议', signedOn: '2020-01-01', validUntil };
      const created = (await call(t.app, t.adminKey, 'POST', '/v1/agreements', body)).json();
      statuses.push(created.status);
      const listed = await call(t.app, t.adminKey, 'GET', `/v1/agreements?communityId=${community.id}&status=${created.status}`);
      expect(listed.json().data.map((a: { id: string }) => a.id)).toEqual([created.id]);
    }
    expect(statuses).toEqual(['expired', 'active']);
  });
});
