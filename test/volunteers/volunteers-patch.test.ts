import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createOrganization, createTenant, createVolunteer, uniquePhone } from '../helpers/factories.js';
import { auditOf, expectProblem, idNumberFor, SAMPLE_ID, withWrongCheck } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const patch = (key: string, id: string, body: unknown) => call(t.app, key, 'PATCH', `/v1/volunteers/${id}`, body);
const get = async (key: string, id: string) => (await call(t.app, key, 'GET', `/v1/volunteers/${id}`)).json();

/** A rejected PATCH leaves the volunteer exactly as it was and writes no audit event. */
async function expectUnchanged(key: string, before: Record<string, unknown>): Promise<void> {
  expect(await get(key, before.id as string)).toEqual(before);
  expect((await auditOf(t.app, key, before.id as string)).map((e) => e.action)).not.toContain('volunteer.updated');
}

describe('PATCH /v1/volunteers/{id}', () => {
  test('an ID number given first by a PATCH, in a fresh service, is hashed and stored (its key read outside the write)', async () => {
    // A fresh app: no ID number hashed yet, so this PATCH is the first to need the hashing key.
    // On embedded PGlite (one connection) reading it inside the write's transaction hung the service.
    const fresh = await createTestApp();
    try {
      const { community, communityAdminKey } = await createTenant(fresh.app, fresh.adminKey);
      const volunteer = await createVolunteer(fresh.app, communityAdminKey, community.id);
      const res = await call(fresh.app, communityAdminKey, 'PATCH', `/v1/volunteers/${volunteer.id}`, { idNumber: SAMPLE_ID });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ idNumberLast4: '002X', birthDate: '1949-12-31' });
    } finally {
      await fresh.close();
    }
  });

  test('changes the plain fields, normalises the phone and audits before and after', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { name: '旧名', phone: '13812341234' });
    const res = await patch(communityAdminKey, v.id, {
      name: '新名', phone: '+86 139 0000 1111', gender: 'male', birthDate: '1990-05-06', politicalStatus: 'league_member',
      inServicePartyMember: true, workplaceOrganizationId: organization.id, skills: ['理发', '维修'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: '新名', phone: '13900001111', gender: 'male', birthDate: '1990-05-06', politicalStatus: 'league_member',
      inServicePartyMember: true, workplaceOrganizationId: organization.id, skills: ['理发', '维修'], volunteerCode: v.volunteerCode,
    });
    expect(await get(communityAdminKey, v.id)).toEqual(res.json());
    const events = await auditOf(t.app, communityAdminKey, v.id);
    expect(events.map((e) => e.action)).toEqual(['volunteer.registered', 'volunteer.updated']);
    expect(events[1]!.before).toMatchObject({ name: '旧名', phone: '138****1234' });
    expect(events[1]!.after).toMatchObject({ name: '新名', phone: '139****1111' });
    expect(events[1]!.actorKeyId).toEqual(expect.any(String));
  });

  test('nullable fields can be cleared with null', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { gender: 'female', birthDate: '1980-02-03', workplaceOrganizationId: organization.id, idNumber: idNumberFor('19800203') });
    const res = await patch(communityAdminKey, v.id, { gender: null, birthDate: null, workplaceOrganizationId: null, idNumber: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ gender: null, birthDate: null, workplaceOrganizationId: null, idNumberLast4: null });
  });

  test('moves status between active, inactive and withdrawn', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    for (const status of ['inactive', 'withdrawn', 'active']) {
      const res = await patch(communityAdminKey, v.id, { status });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe(status);
    }
    expect((await auditOf(t.app, communityAdminKey, v.id)).filter((e) => e.action === 'volunteer.updated')).toHaveLength(3);
    const before = await get(communityAdminKey, v.id);
    expectProblem(await patch(communityAdminKey, v.id, { status: 'retired' }), 422, 'status');
    expect(await get(communityAdminKey, v.id)).toEqual(before);
  });

  test('a bad phone, a wrong ID check character, an unknown field or an empty body is 422 and changes nothing', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expectProblem(await patch(communityAdminKey, v.id, { phone: '12345678901', name: '不应改' }), 422, 'phone');
    expectProblem(await patch(communityAdminKey, v.id, { idNumber: withWrongCheck(SAMPLE_ID) }), 422, 'idNumber');
    expectProblem(await patch(communityAdminKey, v.id, { volunteerCode: 'V1' }), 422, 'volunteerCode');
    expectProblem(await patch(communityAdminKey, v.id, { skills: Array.from({ length: 21 }, (_, i) => `s${i}`) }), 422, 'skills');
    expectProblem(await patch(communityAdminKey, v.id, {}), 422);
    await expectUnchanged(communityAdminKey, v);
  });

  test('the birth date must agree with the ID number: given together, or against the number on file', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { idNumber: SAMPLE_ID });
    expectProblem(await patch(communityAdminKey, v.id, { idNumber: idNumberFor('19700101'), birthDate: '1970-01-02' }), 422, 'birthDate');
    expectProblem(await patch(communityAdminKey, v.id, { birthDate: '1950-01-01' }), 422, 'birthDate');
    await expectUnchanged(communityAdminKey, v);
    const moved = await patch(communityAdminKey, v.id, { idNumber: idNumberFor('19700101') });
    expect(moved.json()).toMatchObject({ birthDate: '1970-01-01' });
    const cleared = await patch(communityAdminKey, v.id, { idNumber: null, birthDate: '1971-03-04' });
    expect(cleared.json()).toMatchObject({ birthDate: '1971-03-04', idNumberLast4: null });
  });

  test('taking another volunteer\'s phone or ID number in the community is 409 and changes nothing', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const phone = uniquePhone();
    await createVolunteer(t.app, communityAdminKey, community.id, { phone, idNumber: SAMPLE_ID });
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expectProblem(await patch(communityAdminKey, v.id, { phone, name: '不应改' }), 409);
    expectProblem(await patch(communityAdminKey, v.id, { idNumber: SAMPLE_ID }), 409);
    await expectUnchanged(communityAdminKey, v);
    expect((await patch(communityAdminKey, v.id, { phone: v.phone })).statusCode).toBe(200);
  });

  test('a workplace organization of another community is 422 naming workplaceOrganizationId', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, a.communityAdminKey, a.community.id);
    expectProblem(await patch(a.communityAdminKey, v.id, { workplaceOrganizationId: b.organization.id }), 422, 'workplaceOrganizationId');
    await expectUnchanged(a.communityAdminKey, v);
    const local = await createOrganization(t.app, a.communityAdminKey, a.community.id, { kind: 'enterprise' });
    expect((await patch(a.communityAdminKey, v.id, { workplaceOrganizationId: local.id })).json().workplaceOrganizationId).toBe(local.id);
  });

  test('a coordinator may change its members and sees them masked; a reporter gets 403', async () => {
    const { community, coordinatorKey, reporterKey, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, coordinatorKey, community.id, { phone: '13812341234' });
    const res = await patch(coordinatorKey, v.id, { status: 'inactive', phone: '13812345678' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'inactive', phone: '138****5678' });
    expect((await get(communityAdminKey, v.id)).phone).toBe('13812345678');
    expectProblem(await patch(reporterKey, v.id, { status: 'active' }), 403);
    expect((await get(communityAdminKey, v.id)).status).toBe('inactive');
  });
});
