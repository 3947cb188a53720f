import { sql } from 'drizzle-orm';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTenant, createVolunteer, uniquePhone } from '../helpers/factories.js';
import { auditOf, expectProblem, idNumberFor, SAMPLE_ID } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** Every row of a table that belongs to one community, as stored. */
async function storedRows(table: 'volunteers' | 'audit_events' | 'memberships', communityId: string): Promise<Record<string, unknown>[]> {
  const result = await t.app.db.execute(sql`select * from ${sql.identifier(table)} where community_id = ${communityId}`);
  return (result as unknown as { rows: Record<string, unknown>[] }).rows;
}

describe('the resident ID number', () => {
  test('is never returned whole, never logged and never stored: the row keeps only a keyed hash and the last four characters', async () => {
    const { community, organization, communityAdminKey, coordinatorKey } = await createTenant(t.app, t.adminKey);
    const newId = idNumberFor('19800101');
    const bodies: string[] = [];
    const register = await call(t.app, coordinatorKey, 'POST', '/v1/volunteers', { communityId: community.id, name: '张伟', phone: uniquePhone(), idNumber: SAMPLE_ID.toLowerCase() });
    expect(register.statusCode).toBe(201);
    const id = register.json().id;
    bodies.push(register.body);
    const wrong = await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${id}`, { idNumber: `${newId.slice(0, 17)}${newId.endsWith('1') ? '2' : '1'}` });
    expectProblem(wrong, 422, 'idNumber');
    bodies.push(wrong.body);
    const dup = await call(t.app, communityAdminKey, 'POST', '/v1/volunteers', { communityId: community.id, name: '重复', phone: uniquePhone(), idNumber: SAMPLE_ID });
    expectProblem(dup, 409);
    bodies.push(dup.body);
    for (const [key, method, url] of [
      [communityAdminKey, 'GET', `/v1/volunteers/${id}`],
      [coordinatorKey, 'GET', `/v1/volunteers/${id}`],
      [t.adminKey, 'GET', `/v1/volunteers?communityId=${community.id}`],
      [communityAdminKey, 'GET', `/v1/audit-events?entityId=${id}`],
      [coordinatorKey, 'GET', `/v1/organizations/${organization.id}/members`],
    ] as const) {
      const res = await call(t.app, key, method, url);
      expect(res.statusCode).toBe(200);
      bodies.push(res.body);
    }
    const patched = await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${id}`, { idNumber: newId });
    expect(patched.json()).toMatchObject({ idNumberLast4: newId.slice(-4), birthDate: '1980-01-01' });
    bodies.push(patched.body);

    const rows = await storedRows('volunteers', community.id);
    const audits = await storedRows('audit_events', community.id);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).filter((column) => column.startsWith('id_number')).sort()).toEqual(['id_number_hash', 'id_number_last4']);
    expect(rows[0]!.id_number_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const whole of [SAMPLE_ID, newId]) {
      const first17 = whole.slice(0, 17);
      for (const text of [...bodies, t.logs.join(''), JSON.stringify(rows), JSON.stringify(audits)]) {
        expect(text.toUpperCase()).not.toContain(first17);
      }
    }
  });

  test('a phone is never written to the logs, even when searched for', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const phone = uniquePhone();
    await createVolunteer(t.app, communityAdminKey, community.id, { phone });
    const found = await call(t.app, communityAdminKey, 'GET', `/v1/volunteers?q=${phone}`);
    expect(found.json().data).toHaveLength(1);
    expectProblem(await call(t.app, communityAdminKey, 'POST', '/v1/volunteers', { communityId: community.id, name: '重复', phone }), 409);
    expect(t.logs.join('')).not.toContain(phone);
  });
});

describe('phone masking', () => {
  test('admins and the community\'s admins see whole phones; a coordinator sees 138****1234 in get, list and its own writes', async () => {
    const { community, organization, communityAdminKey, coordinatorKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, coordinatorKey, community.id, { phone: '13812341234' });
    expect(v.phone).toBe('138****1234');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/volunteers/${v.id}`)).json().phone).toBe('13812341234');
    expect((await call(t.app, communityAdminKey, 'GET', `/v1/volunteers/${v.id}`)).json().phone).toBe('13812341234');
    expect((await call(t.app, coordinatorKey, 'GET', `/v1/volunteers/${v.id}`)).json().phone).toBe('138****1234');
    const list = await call(t.app, coordinatorKey, 'GET', `/v1/volunteers?organizationId=${organization.id}`);
    expect(list.json().data.map((row: { phone: string }) => row.phone)).toEqual(['138****1234']);
    const patched = await call(t.app, coordinatorKey, 'PATCH', `/v1/volunteers/${v.id}`, { skills: ['巡逻'] });
    expect(patched.json().phone).toBe('138****1234');
    expect(JSON.stringify((await auditOf(t.app, communityAdminKey, v.id)))).not.toContain('13812341234');
  });

  test('a coordinator cannot uncover a masked phone by searching its last digits', async () => {
    const { community, communityAdminKey, coordinatorKey } = await createTenant(t.app, t.adminKey);
    await createVolunteer(t.app, coordinatorKey, community.id, { phone: '13812345678' });
    expect((await call(t.app, coordinatorKey, 'GET', '/v1/volunteers?q=5678')).json().data).toEqual([]);
    expect((await call(t.app, coordinatorKey, 'GET', '/v1/volunteers?q=45678')).json().data).toEqual([]);
    expect((await call(t.app, coordinatorKey, 'GET', '/v1/volunteers?q=13812345678')).json().data).toHaveLength(1);
    expect((await call(t.app, communityAdminKey, 'GET', '/v1/volunteers?q=45678')).json().data).toHaveLength(1);
  });

  test('reporters never read volunteers: list and get are 403', async () => {
    const { community, communityAdminKey, reporterKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expectProblem(await call(t.app, reporterKey, 'GET', '/v1/volunteers'), 403);
    expectProblem(await call(t.app, reporterKey, 'GET', `/v1/volunteers/${v.id}`), 403);
    expectProblem(await call(t.app, reporterKey, 'PATCH', `/v1/volunteers/${v.id}`, { name: '改名' }), 403);
  });
});

describe('POST /v1/volunteers/{id}/erase', () => {
  test('replaces name, phone and ID data with placeholders, withdraws the volunteer and keeps the code', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { name: '李雷', phone: '13812341234', idNumber: SAMPLE_ID, gender: 'male', skills: ['电工'] });
    const res = await call(t.app, t.adminKey, 'POST', `/v1/volunteers/${v.id}/erase`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: v.id, volunteerCode: v.volunteerCode, name: '(erased)', phone: null, idNumberLast4: null, birthDate: null,
      gender: null, skills: [], status: 'withdrawn', erased: true,
    });
    const [row] = await storedRows('volunteers', community.id);
    expect(row).toMatchObject({ name: '(erased)', phone: null, id_number_hash: null, id_number_last4: null, birth_date: null });
  });

  test('scrubs the volunteer\'s audit snapshots and records one volunteer.erased event; erasing twice is harmless', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { name: '韩梅梅', phone: '13812341234', idNumber: SAMPLE_ID });
    await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${v.id}`, { name: '韩梅' });
    expect(JSON.stringify(await auditOf(t.app, communityAdminKey, v.id))).toContain('韩梅梅');
    expect((await call(t.app, communityAdminKey, 'POST', `/v1/volunteers/${v.id}/erase`)).statusCode).toBe(200);
    const again = await call(t.app, communityAdminKey, 'POST', `/v1/volunteers/${v.id}/erase`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ erased: true, name: '(erased)' });
    const events = await auditOf(t.app, communityAdminKey, v.id);
    expect(events.map((e) => e.action)).toEqual(['volunteer.registered', 'volunteer.updated', 'volunteer.erased']);
    for (const event of events) expect([event.before, event.after]).toEqual([null, null]);
    const stored = JSON.stringify(await storedRows('audit_events', community.id));
    for (const personal of ['韩梅', '138****1234', '002X']) expect(stored).not.toContain(personal);
  });

  test('an erased volunteer cannot be patched (409), and its phone and ID number may be registered again', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const phone = uniquePhone();
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { phone, idNumber: SAMPLE_ID });
    await call(t.app, communityAdminKey, 'POST', `/v1/volunteers/${v.id}/erase`);
    expectProblem(await call(t.app, communityAdminKey, 'PATCH', `/v1/volunteers/${v.id}`, { status: 'active' }), 409);
    expectProblem(await call(t.app, t.adminKey, 'PATCH', `/v1/volunteers/${v.id}`, { name: '复活' }), 409);
    expect((await call(t.app, communityAdminKey, 'GET', `/v1/volunteers/${v.id}`)).json()).toMatchObject({ name: '(erased)', status: 'withdrawn' });
    const again = await createVolunteer(t.app, communityAdminKey, community.id, { phone, idNumber: SAMPLE_ID });
    expect(again.volunteerCode).not.toBe(v.volunteerCode);
  });

  test('a coordinator gets 403, another community\'s admin 404, and neither changes anything', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, a.coordinatorKey, a.community.id, { name: '保留' });
    expectProblem(await call(t.app, a.coordinatorKey, 'POST', `/v1/volunteers/${v.id}/erase`), 403);
    expectProblem(await call(t.app, a.reporterKey, 'POST', `/v1/volunteers/${v.id}/erase`), 403);
    expectProblem(await call(t.app, b.communityAdminKey, 'POST', `/v1/volunteers/${v.id}/erase`), 404);
    expect((await call(t.app, a.communityAdminKey, 'GET', `/v1/volunteers/${v.id}`)).json()).toMatchObject({ name: '保留', erased: false });
    expect((await auditOf(t.app, a.communityAdminKey, v.id)).map((e) => e.action)).toEqual(['volunteer.registered']);
  });
});
