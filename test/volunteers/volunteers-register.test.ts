import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createKey, createOrganization, createTenant, createVolunteer, uniquePhone } from '../helpers/factories.js';
import { auditOf, expectProblem, idNumberFor, SAMPLE_ID, volunteerIds, withWrongCheck } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const register = (key: string, body: Record<string, unknown>) => call(t.app, key, 'POST', '/v1/volunteers', body);

describe('POST /v1/volunteers', () => {
  test('registers a volunteer with every field, a Location header and a V-code', async () => {
    const { community, organization, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const res = await register(communityAdminKey, {
      communityId: community.id, name: '王芳', phone: '13912345678', gender: 'female', birthDate: '1949-12-31',
      politicalStatus: 'party_member', inServicePartyMember: true, workplaceOrganizationId: organization.id,
      skills: ['first aid', '电工'], idNumber: SAMPLE_ID,
    });
    expect(res.statusCode).toBe(201);
    const v = res.json();
    expect(res.headers.location).toBe(`/v1/volunteers/${v.id}`);
    expect(v).toMatchObject({
      communityId: community.id, name: '王芳', phone: '13912345678', gender: 'female', birthDate: '1949-12-31',
      politicalStatus: 'party_member', inServicePartyMember: true, workplaceOrganizationId: organization.id,
      skills: ['first aid', '电工'], idNumberLast4: '002X', status: 'active', erased: false,
    });
    expect(v.volunteerCode).toMatch(/^V\d{8}$/);
    expect(v).not.toHaveProperty('idNumber');
  });

  test('defaults politicalStatus to masses, skills to none and status to active', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id);
    expect(v).toMatchObject({ politicalStatus: 'masses', inServicePartyMember: false, skills: [], status: 'active', idNumberLast4: null, gender: null, birthDate: null });
  });

  test.each([
    ['+86 139-1111-2222', '13911112222'],
    ['+8613911112222', '13911112222'],
    ['0086 139 1111 2222', '13911112222'],
    ['139-1111-2222', '13911112222'],
  ])('normalises the mobile %s to %s', async (input, stored) => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const res = await register(communityAdminKey, { communityId: community.id, name: '赵六', phone: input });
    expect(res.statusCode).toBe(201);
    expect(res.json().phone).toBe(stored);
  });

  test.each(['12812341234', '1381234123', '138123412345', '+1 3812341234', '02912345678', '1381234abcd'])(
    'rejects the phone %s with 422 naming phone',
    async (phone) => {
      const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
      expectProblem(await register(communityAdminKey, { communityId: community.id, name: '赵六', phone }), 422, 'phone');
      expect(await volunteerIds(t.app, t.adminKey, community.id)).toEqual([]);
    },
  );

  test('accepts the GB 11643 example 11010519491231002X and a lower-case x, taking the birth date from it', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const upper = await createVolunteer(t.app, communityAdminKey, community.id, { idNumber: SAMPLE_ID });
    expect(upper).toMatchObject({ birthDate: '1949-12-31', idNumberLast4: '002X' });
    const other = await createTenant(t.app, t.adminKey);
    const lower = await createVolunteer(t.app, other.communityAdminKey, other.community.id, { idNumber: SAMPLE_ID.toLowerCase() });
    expect(lower.idNumberLast4).toBe('002X');
  });

  test('an ID number with a wrong check character is 422 naming idNumber, and nothing is stored', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const res = await register(communityAdminKey, { communityId: community.id, name: '钱七', phone: uniquePhone(), idNumber: withWrongCheck(SAMPLE_ID) });
    expectProblem(res, 422, 'idNumber');
    expect(res.body).not.toContain(SAMPLE_ID.slice(0, 17));
    expect(await volunteerIds(t.app, t.adminKey, community.id)).toEqual([]);
  });

  test.each([
    ['a birth date that is no calendar date', idNumberFor('19490231')],
    ['a birth date in the future', idNumberFor('20990101')],
    ['letters among the digits', '11010519491231A02X'],
  ])('an ID number with %s is 422 naming idNumber', async (_what, idNumber) => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await register(communityAdminKey, { communityId: community.id, name: '钱七', phone: uniquePhone(), idNumber }), 422, 'idNumber');
  });

  test('a birthDate that differs from the one inside idNumber is 422 naming birthDate; a matching one is accepted', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const res = await register(communityAdminKey, { communityId: community.id, name: '孙八', phone: uniquePhone(), idNumber: SAMPLE_ID, birthDate: '1950-01-01' });
    expectProblem(res, 422, 'birthDate');
    expect(await volunteerIds(t.app, t.adminKey, community.id)).toEqual([]);
    const ok = await register(communityAdminKey, { communityId: community.id, name: '孙八', phone: uniquePhone(), idNumber: SAMPLE_ID, birthDate: '1949-12-31' });
    expect(ok.statusCode).toBe(201);
  });

  test('a birthDate in the future is 422 naming birthDate', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await register(communityAdminKey, { communityId: community.id, name: '孙八', phone: uniquePhone(), birthDate: '2999-01-01' }), 422, 'birthDate');
  });

  test('an unknown politicalStatus, too many skills, a too-long skill or an unknown property is 422 naming each field', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const base = { communityId: community.id, name: '周九', phone: uniquePhone() };
    expectProblem(await register(communityAdminKey, { ...base, politicalStatus: 'communist' }), 422, 'politicalStatus');
    expectProblem(await register(communityAdminKey, { ...base, skills: Array.from({ length: 21 }, (_, i) => `skill ${i}`) }), 422, 'skills');
    expectProblem(await register(communityAdminKey, { ...base, skills: ['x'.repeat(31)] }), 422, 'skills[0]');
    expectProblem(await register(communityAdminKey, { ...base, skills: [''] }), 422, 'skills[0]');
    expectProblem(await register(communityAdminKey, { ...base, nickname: 'nine' }), 422, 'nickname');
    const missing = await register(communityAdminKey, { communityId: community.id });
    expectProblem(missing, 422);
    expect(missing.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'phone']);
    expect(await volunteerIds(t.app, t.adminKey, community.id)).toEqual([]);
  });

  test('every political status is accepted', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    for (const politicalStatus of ['masses', 'league_member', 'probationary_party_member', 'party_member']) {
      expect((await createVolunteer(t.app, communityAdminKey, community.id, { politicalStatus })).politicalStatus).toBe(politicalStatus);
    }
  });

  test('a workplace organization of another community is 422 naming workplaceOrganizationId', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await register(t.adminKey, { communityId: a.community.id, name: '吴十', phone: uniquePhone(), workplaceOrganizationId: b.organization.id });
    expectProblem(res, 422, 'workplaceOrganizationId');
  });

  test('same phone twice in one community gets 409 and stores nothing; the same phone in another community is fine', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const phone = uniquePhone();
    const first = await createVolunteer(t.app, a.communityAdminKey, a.community.id, { phone });
    expectProblem(await register(a.communityAdminKey, { communityId: a.community.id, name: '重复', phone: `+86 ${phone}` }), 409);
    expect(await volunteerIds(t.app, t.adminKey, a.community.id)).toEqual([first.id]);
    const elsewhere = await register(b.communityAdminKey, { communityId: b.community.id, name: '别处', phone });
    expect(elsewhere.statusCode).toBe(201);
  });

  test('same ID number twice in one community gets 409', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    await createVolunteer(t.app, communityAdminKey, community.id, { idNumber: SAMPLE_ID });
    expectProblem(await register(communityAdminKey, { communityId: community.id, name: '重复', phone: uniquePhone(), idNumber: SAMPLE_ID }), 409);
  });

  test('two concurrent registrations with the same phone give exactly one 201 and one 409', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const phone = uniquePhone();
    const results = await Promise.all([1, 2].map((n) => register(communityAdminKey, { communityId: community.id, name: `竞争${n}`, phone })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await volunteerIds(t.app, t.adminKey, community.id)).toHaveLength(1);
  });

  test('volunteer codes are unique across communities and never reused after a rejected registration', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const phone = uniquePhone();
    const first = await createVolunteer(t.app, a.communityAdminKey, a.community.id, { phone });
    expect((await register(a.communityAdminKey, { communityId: a.community.id, name: '重复', phone })).statusCode).toBe(409);
    const second = await createVolunteer(t.app, b.communityAdminKey, b.community.id);
    const third = await createVolunteer(t.app, a.communityAdminKey, a.community.id);
    const codes = [first, second, third].map((v) => v.volunteerCode as string);
    expect(new Set(codes).size).toBe(3);
    expect(codes.map((c) => Number(c.slice(1)))).toEqual([...codes.map((c) => Number(c.slice(1)))].sort((x, y) => x - y));
  });

  test('writes a volunteer.registered audit event with a masked snapshot', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, communityAdminKey, community.id, { phone: '13812341234', idNumber: SAMPLE_ID });
    const events = await auditOf(t.app, communityAdminKey, v.id);
    expect(events.map((e) => e.action)).toEqual(['volunteer.registered']);
    expect(events[0]!.after).toMatchObject({ id: v.id, phone: '138****1234', idNumberLast4: '002X' });
  });

  test('a community admin cannot register into another community (422 naming communityId)', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    expectProblem(await register(a.communityAdminKey, { communityId: b.community.id, name: '越界', phone: uniquePhone() }), 422, 'communityId');
    expect(await volunteerIds(t.app, t.adminKey, b.community.id)).toEqual([]);
  });

  test('a reporter gets 403 and a missing key 401', async () => {
    const { community, reporterKey } = await createTenant(t.app, t.adminKey);
    expectProblem(await register(reporterKey, { communityId: community.id, name: '报表', phone: uniquePhone() }), 403);
    expectProblem(await call(t.app, null, 'POST', '/v1/volunteers', { communityId: community.id, name: '匿名', phone: uniquePhone() }), 401);
  });

  test('a coordinator\'s registration enrols the volunteer in its organization and audits the membership', async () => {
    const { community, organization, coordinatorKey, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const v = await createVolunteer(t.app, coordinatorKey, community.id, { phone: '13812341234' });
    expect(v.phone).toBe('138****1234');
    const members = await call(t.app, coordinatorKey, 'GET', `/v1/organizations/${organization.id}/members`);
    expect(members.json().data.map((m: { volunteerId: string }) => m.volunteerId)).toEqual([v.id]);
    const membershipId = members.json().data[0].id;
    expect((await auditOf(t.app, communityAdminKey, membershipId)).map((e) => e.action)).toEqual(['membership.created']);
    expect((await call(t.app, coordinatorKey, 'GET', `/v1/volunteers/${v.id}`)).statusCode).toBe(200);
  });

  test('a coordinator of an archived organization cannot register (422) and nothing is stored', async () => {
    const { community, communityAdminKey } = await createTenant(t.app, t.adminKey);
    const organization = await createOrganization(t.app, communityAdminKey, community.id);
    const coordinatorKey = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: organization.id });
    expect((await call(t.app, communityAdminKey, 'POST', `/v1/organizations/${organization.id}/archive`)).statusCode).toBe(200);
    expectProblem(await register(coordinatorKey, { communityId: community.id, name: '归档', phone: uniquePhone() }), 422);
    expect(await volunteerIds(t.app, t.adminKey, community.id)).toEqual([]);
  });
});
