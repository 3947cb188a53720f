import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createLedgerTenant } from '../helpers/factories.js';
import { dateIn } from '../../src/lib/time.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

test('POST /v1/service-entries › an endedAt later than now is refused with 422 even when servedOn is today', async () => {
  const l = await createLedgerTenant(t.app, t.adminKey);
  const now = Date.now();
  const startedAt = new Date(now - 60_000);
  const endedAt = new Date(now + 59 * 60_000);
  const servedOn = dateIn('Asia/Shanghai', startedAt);
  const res = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', {
    volunteerId: l.volunteer.id, organizationId: l.organization.id, categoryId: l.categoryByCode.home_repair,
    servedOn, minutes: 60, startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(),
  });
  expect(res.statusCode).toBe(422);
  expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('endedAt');
  const list = await call(t.app, l.coordinatorKey, 'GET', `/v1/service-entries?volunteerId=${l.volunteer.id}`);
  expect(list.json().data).toHaveLength(0);
});
