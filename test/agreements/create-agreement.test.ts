import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createOrganization, createTenant } from '../helpers/factories.js';
import { AppError } from '../../src/lib/errors.js';
import { insertAgreement } from '../../src/modules/agreements/agreement-repository.js';
import { agreementWriteProblem } from '../../src/modules/agreements/agreement-service.js';
import { agreementBody, auditActions, createAgreement, expectNoAgreements, expectProblem } from './fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('POST /v1/agreements', () => {
  test('records an agreement that is active, with a location and an audit event', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/agreements', agreementBody(tenant));
    expect(res.statusCode).toBe(201);
    const agreement = res.json();
    expect(res.headers.location).toBe(`/v1/agreements/${agreement.id}`);
    expect(agreement).toMatchObject({
      communityId: tenant.community.id, organizationId: tenant.organization.id, title: '共驻共建协议书',
      signedOn: '2026-01-15', validUntil: '2099-12-31', active: true, status: 'active', terminatedAt: null, terminationReason: null,
    });
    expect(Date.parse(agreement.createdAt)).not.toBeNaN();
    const fetched = await call(t.app, tenant.communityAdminKey, 'GET', `/v1/agreements/${agreement.id}`);
    expect(fetched.json()).toEqual(agreement);
    const events = await auditActions(t.app, t.adminKey, agreement.id);
    expect(events.map((e) => e.action)).toEqual(['agreement.created']);
    expect(events[0]).toMatchObject({ entityType: 'agreement', communityId: tenant.community.id, before: null, after: agreement });
  });

  test('without validUntil the agreement has no end date and stays active', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const { validUntil: _omitted, ...body } = agreementBody(tenant);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/agreements', body);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ validUntil: null, active: true, status: 'active' });
  });

  test('a validUntil equal to signedOn is accepted', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const agreement = await createAgreement(t.app, t.adminKey, tenant, { signedOn: '2026-01-15', validUntil: '2026-01-15' });
    expect(agreement.validUntil).toBe('2026-01-15');
  });

  test('a validUntil before signedOn gets 422 naming validUntil and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/agreements', agreementBody(tenant, { signedOn: '2026-03-01', validUntil: '2026-02-28' }));
    expectProblem(res, 422, 'validUntil');
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });

  test('an impossible date such as 2026-02-30 gets 422 naming the field and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/agreements', agreementBody(tenant, { signedOn: '2026-02-30' })), 422, 'signedOn');
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/agreements', agreementBody(tenant, { validUntil: '2027-02-29' })), 422, 'validUntil');
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });

  test('missing required fields and unknown properties get 422 listing each field', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/agreements', { communityId: tenant.community.id, colour: 'red' });
    expectProblem(res, 422);
    const fields = res.json().errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['colour', 'organizationId', 'signedOn', 'title']);
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });

  test('an organization of another community gets 422 naming organizationId and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const other = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/agreements', agreementBody(tenant, { organizationId: other.organization.id }));
    expectProblem(res, 422, 'organizationId');
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
    await expectNoAgreements(t.app, t.adminKey, other.community.id);
  });

  test('an organization that does not exist gets 422 naming organizationId', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/agreements', agreementBody(tenant, { organizationId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70' }));
    expectProblem(res, 422, 'organizationId');
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });

  test('an archived organization gets 422 naming organizationId and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const archived = await createOrganization(t.app, t.adminKey, tenant.community.id, { kind: 'enterprise' });
    expect((await call(t.app, t.adminKey, 'POST', `/v1/organizations/${archived.id}/archive`)).statusCode).toBe(200);
    const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/agreements', agreementBody(tenant, { organizationId: archived.id }));
    expectProblem(res, 422, 'organizationId');
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });

  test('a community outside the key\'s scope gets 422 naming communityId and stores nothing', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'POST', '/v1/agreements', agreementBody(b));
    expectProblem(res, 422, 'communityId');
    await expectNoAgreements(t.app, t.adminKey, b.community.id);
  });

  test('coordinator and reporter keys get 403 and store nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant.coordinatorKey, 'POST', '/v1/agreements', agreementBody(tenant)), 403);
    expectProblem(await call(t.app, tenant.reporterKey, 'POST', '/v1/agreements', agreementBody(tenant)), 403);
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });
});

describe('agreements_dates_ordered', () => {
  test('the database CHECK, should it fire, maps to the same 422 naming validUntil', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const err = await insertAgreement(t.app.db, {
      communityId: tenant.community.id, organizationId: tenant.organization.id, title: 'x', signedOn: '2026-03-01', validUntil: '2026-01-01',
    }).then(() => undefined, (e: unknown) => e);
    const problem = agreementWriteProblem(err);
    expect(problem).toBeInstanceOf(AppError);
    expect((problem as AppError).status).toBe(422);
    expect((problem as AppError).errors).toEqual([{ field: 'validUntil', message: 'must not be before signedOn' }]);
    await expectNoAgreements(t.app, t.adminKey, tenant.community.id);
  });
});
