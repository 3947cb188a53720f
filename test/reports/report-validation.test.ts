import { createTenant } from '../helpers/factories.js';
import { expectProblem, problemFields } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let tenant: Awaited<ReturnType<typeof createTenant>>;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await createTenant(t.app, t.adminKey);
});
afterAll(async () => { await t.close(); });

const hours = (query: string) => call(t.app, tenant.reporterKey, 'GET', `/v1/reports/hours?communityId=${tenant.community.id}&${query}`);

describe('report parameters are checked and answered as problem+json', () => {
  test.each([
    ['an unknown dimension', 'groupBy=planet'],
    ['two time dimensions', 'groupBy=month,year'],
    ['the same dimension twice', 'groupBy=community,community'],
    ['three dimensions', 'groupBy=community,organization,month'],
    ['an empty groupBy', 'groupBy='],
    ['no groupBy at all', ''],
    ['a capitalised dimension', 'groupBy=Month'],
  ])('GET /v1/reports/hours with %s is 400 naming groupBy', async (_what, query) => {
    const res = await hours(query);
    expectProblem(res, 400, 'invalid_parameter');
    expect(problemFields(res).join(' ')).toMatch(/groupBy/);
  });

  test('from after to is 422 naming to, on every report', async () => {
    for (const url of ['/v1/reports/hours?groupBy=month&', '/v1/reports/summary?', '/v1/reports/love-cards?', '/v1/reports/party-members?']) {
      const res = await call(t.app, tenant.reporterKey, 'GET', `${url}from=2026-03-02&to=2026-03-01`);
      expectProblem(res, 422, 'validation_failed');
      expect(problemFields(res)).toEqual(['to']);
    }
  });

  test('a date that is not a calendar date, an unknown parameter and a non-uuid id are 400', async () => {
    expectProblem(await hours('groupBy=month&from=2026-02-30'), 400, 'invalid_parameter');
    expectProblem(await hours('groupBy=month&colour=red'), 400, 'invalid_parameter');
    expectProblem(await hours('groupBy=month&organizationId=42'), 400, 'invalid_parameter');
    expectProblem(await hours('groupBy=month&format=xml'), 400, 'invalid_parameter');
  });

  test('a range of more than ten years is 422; from equal to to is one day and fine', async () => {
    expectProblem(await hours('groupBy=month&from=2010-01-01&to=2026-01-01'), 422, 'validation_failed');
    const oneDay = await hours('groupBy=day&from=2026-03-01&to=2026-03-01');
    expect(oneDay.statusCode).toBe(200);
    expect(oneDay.json()).toEqual({ rows: [], totals: { minutes: 0, hours: 0, entries: 0, volunteers: 0 } });
  });

  test('without a key a report is 401; a reporter may not read a volunteer\'s service record (403)', async () => {
    expectProblem(await call(t.app, null, 'GET', '/v1/reports/summary'), 401, 'unauthorized');
    const volunteer = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/volunteers', { communityId: tenant.community.id, name: '李四', phone: '13912345678' });
    expect(volunteer.statusCode).toBe(201);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', `/v1/volunteers/${volunteer.json().id}/service-record`), 403, 'forbidden');
  });
});
