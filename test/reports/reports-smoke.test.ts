import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createLedgerTenant, registerMember } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

test('GET /v1/reports/hours › counts approved minutes only and distinct volunteers at every level, in JSON and CSV', async () => {
  const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
  const other = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
  const base = { organizationId: l.organization.id, categoryId: l.categoryByCode.home_repair };
  const post = (body: Record<string, unknown>) => call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', { ...base, ...body });
  await post({ volunteerId: l.volunteer.id, servedOn: '2026-01-10', minutes: 60 });
  await post({ volunteerId: l.volunteer.id, servedOn: '2026-02-10', minutes: 30 });
  await post({ volunteerId: other.id, servedOn: '2026-02-11', minutes: 45 });
  const voided = (await post({ volunteerId: other.id, servedOn: '2026-02-12', minutes: 100 })).json();
  await call(t.app, l.coordinatorKey, 'POST', `/v1/service-entries/${voided.id}/void`, { reason: 'duplicate' });
  await post({ volunteerId: other.id, servedOn: '2026-02-13', minutes: 15, source: 'self_report' });

  for (const range of ['from=2026-01-01&to=2026-12-31', 'from=2026-01-05&to=2026-12-30']) {
    const res = await call(t.app, l.reporterKey, 'GET', `/v1/reports/hours?communityId=${l.community.id}&groupBy=community,month&${range}`);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.rows.map((r: any) => [r.period, r.minutes, r.entries, r.volunteers])).toEqual([['2026-01', 60, 1, 1], ['2026-02', 75, 2, 2]]);
    expect(report.totals).toEqual({ minutes: 135, hours: 2.25, entries: 3, volunteers: 2 });
    expect(report.rows[0].communityName).toBe(l.community.name);
  }
  const csv = await call(t.app, l.reporterKey, 'GET', `/v1/reports/hours?communityId=${l.community.id}&groupBy=category&format=csv`);
  expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  expect(csv.body.split('\r\n')[1]).toBe(`${l.categoryByCode.home_repair},home_repair,家政维修,135,2.25,3,2`);
  const summary = await call(t.app, l.reporterKey, 'GET', `/v1/reports/summary?communityId=${l.community.id}`);
  expect(summary.json()).toMatchObject({ volunteers: { registered: 2, active: 2 }, minutes: 135, entries: 3, organizations: 1 });
  const record = await call(t.app, l.communityAdminKey, 'GET', `/v1/volunteers/${l.volunteer.id}/service-record`);
  expect(record.json()).toMatchObject({ minutes: 90, hours: 1.5, starLevel: 0 });
});
