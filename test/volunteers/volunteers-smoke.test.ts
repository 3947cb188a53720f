import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenant } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

test('POST /v1/volunteers › registers with a code, masks the phone for a coordinator, and never returns the ID number', async () => {
  const tenant = await createTenant(t.app, t.adminKey);
  const res = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/volunteers', {
    communityId: tenant.community.id, name: '张伟', phone: '+86 138-1234-1234', idNumber: '11010519491231002X',
  });
  expect(res.statusCode).toBe(201);
  const volunteer = res.json();
  expect(volunteer.volunteerCode).toMatch(/^V\d{8}$/);
  expect(volunteer.phone).toBe('13812341234');
  expect(volunteer.birthDate).toBe('1949-12-31');
  expect(res.body).not.toContain('11010519491231002X');
  const join = await call(t.app, tenant.communityAdminKey, 'POST', `/v1/organizations/${tenant.organization.id}/members`, { volunteerId: volunteer.id });
  expect(join.statusCode).toBe(201);
  const asCoordinator = await call(t.app, tenant.coordinatorKey, 'GET', `/v1/volunteers/${volunteer.id}`);
  expect(asCoordinator.statusCode).toBe(200);
  expect(asCoordinator.json().phone).toBe('138****1234');
  const again = await call(t.app, tenant.communityAdminKey, 'POST', '/v1/volunteers', { communityId: tenant.community.id, name: '李四', phone: '13812341234' });
  expect(again.statusCode).toBe(409);
  expect(t.logs.join('')).not.toContain('11010519491231002X');
});
