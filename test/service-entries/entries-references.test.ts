import { createLedgerTenant, createOrganization, createVolunteer, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { countEntries, entryBody, fieldsOf, MISSING_ID, record } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('POST /v1/service-entries › the volunteer', () => {
  test.each(['inactive', 'withdrawn'])('rejects a volunteer who is %s with 422 naming volunteerId', async (status) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const patched = await call(t.app, l.communityAdminKey, 'PATCH', `/v1/volunteers/${l.volunteer.id}`, { status });
    expect(patched.statusCode).toBe(200);
    const res = await record(t.app, l.communityAdminKey, entryBody(l));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['volunteerId']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('rejects a coordinator recording for a volunteer who is not a member of the organization with 422 naming volunteerId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const outsider = await createVolunteer(t.app, l.communityAdminKey, l.community.id);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { volunteerId: outsider.id }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['volunteerId']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('lets a community admin record for a volunteer of the community who is not a member', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const outsider = await createVolunteer(t.app, l.communityAdminKey, l.community.id);
    const res = await record(t.app, l.communityAdminKey, entryBody(l, { volunteerId: outsider.id }));
    expect(res.statusCode).toBe(201);
    expect(res.json().volunteerId).toBe(outsider.id);
  });

  test('rejects a volunteer of another community with 422 naming volunteerId, even for a community admin', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await createLedgerTenant(t.app, t.adminKey);
    for (const key of [l.communityAdminKey, t.adminKey]) {
      const res = await record(t.app, key, entryBody(l, { volunteerId: other.volunteer.id }));
      expectProblem(res, 422, 'rule_violated');
      expect(fieldsOf(res)).toEqual(['volunteerId']);
    }
    expect(await countEntries(t.app, t.adminKey, l.community.id)).toBe(0);
  });

  test('rejects an unknown volunteerId with 422 naming volunteerId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.communityAdminKey, entryBody(l, { volunteerId: MISSING_ID }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['volunteerId']);
  });
});

describe('POST /v1/service-entries › the organization', () => {
  test('rejects an archived organization with 422 naming organizationId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    expect((await call(t.app, l.communityAdminKey, 'POST', `/v1/organizations/${l.organization.id}/archive`)).statusCode).toBe(200);
    const res = await record(t.app, l.communityAdminKey, entryBody(l));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['organizationId']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('rejects an organization of another community with 422 naming organizationId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.communityAdminKey, entryBody(l, { organizationId: other.organization.id }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['organizationId']);
    expect(await countEntries(t.app, t.adminKey, other.community.id)).toBe(0);
  });

  test('rejects a coordinator recording for another organization of its own community with 422 naming organizationId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const sibling = await createOrganization(t.app, t.adminKey, l.community.id);
    const member = await registerMember(t.app, l.communityAdminKey, l.community.id, sibling.id);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { organizationId: sibling.id, volunteerId: member.id }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['organizationId']);
  });

  test('rejects an unknown organizationId with 422 naming organizationId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.communityAdminKey, entryBody(l, { organizationId: MISSING_ID }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['organizationId']);
  });
});

describe('POST /v1/service-entries › the category', () => {
  test('accepts a category the community added itself', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const category = await call(t.app, l.communityAdminKey, 'POST', '/v1/service-categories', { communityId: l.community.id, code: 'river_watch', name: '护河巡查' });
    expect(category.statusCode).toBe(201);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { categoryId: category.json().id }));
    expect(res.statusCode).toBe(201);
  });

  test('rejects a category of another community with 422 naming categoryId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { categoryId: other.categoryByCode.environment_health }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['categoryId']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('names every bad reference at once: volunteer and category of another community', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.communityAdminKey, entryBody(l, { volunteerId: other.volunteer.id, categoryId: other.categoryByCode.home_repair }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['categoryId', 'volunteerId']);
  });
});
