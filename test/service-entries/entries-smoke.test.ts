import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createLedgerTenant } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

test('record → approve → void keeps the ledger and the day cap straight', async () => {
  const l = await createLedgerTenant(t.app, t.adminKey);
  const body = { volunteerId: l.volunteer.id, organizationId: l.organization.id, categoryId: l.categoryByCode.environment_health, servedOn: '2026-03-14', minutes: 800 };
  const first = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', body, { 'idempotency-key': 'k1' });
  expect(first.statusCode).toBe(201);
  expect(first.json().status).toBe('pending');
  const replay = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', body, { 'idempotency-key': 'k1' });
  expect(replay.statusCode).toBe(201);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.json().id).toBe(first.json().id);
  const over = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', body);
  expect(over.statusCode).toBe(422);
  expect(over.json().errors[0].field).toBe('minutes');
  const approved = await call(t.app, l.coordinatorKey, 'POST', `/v1/service-entries/${first.json().id}/approve`);
  expect(approved.json().status).toBe('approved');
  const voided = await call(t.app, l.coordinatorKey, 'POST', `/v1/service-entries/${first.json().id}/void`, { reason: 'typo' });
  expect(voided.json().status).toBe("voided");
  const again = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', body);
  expect(again.statusCode).toBe(201);
  const batch = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries/batch', { entries: [
    { ...body, servedOn: '2026-03-15', minutes: 60 },
    { ...body, servedOn: '2026-03-15', minutes: 1400 },
    { ...body, servedOn: '2099-01-01', minutes: 10 },
  ] });
  expect(batch.statusCode).toBe(422);
  expect(batch.json().errors.map((e: { index: number }) => e.index).sort()).toEqual([0, 1, 2]);
});
