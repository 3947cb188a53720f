import { createCommunity, createKey, createOrganization, createTenant, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { csvOf } from './csv-support.js';
import { categories, record, report, serve, transition } from './report-fixtures.js';

let t: TestApp;
let community: Record<string, any>;
let teamA: Record<string, any>;
let teamB: Record<string, any>;
let volunteer: Record<string, any>;
let cats: Awaited<ReturnType<typeof categories>>;
let adminKey: string;

beforeAll(async () => {
  t = await createTestApp();
  community = await createCommunity(t.app, t.adminKey, { starThresholds: [1, 2, 3, 4, 5] });
  adminKey = await createKey(t.app, t.adminKey, { role: 'community_admin', communityId: community.id });
  teamA = await createOrganization(t.app, t.adminKey, community.id, { name: 'A队·服务', approvalPolicy: 'auto' });
  teamB = await createOrganization(t.app, t.adminKey, community.id, { name: 'B队·服务', approvalPolicy: 'auto' });
  volunteer = await registerMember(t.app, adminKey, community.id, teamA.id);
  expect((await call(t.app, adminKey, 'POST', `/v1/organizations/${teamB.id}/members`, { volunteerId: volunteer.id })).statusCode).toBe(201);
  cats = await categories(t.app, adminKey, community.id);
  const entry = (organizationId: string, code: string, servedOn: string, minutes: number) => ({ volunteerId: volunteer.id, organizationId, categoryId: cats[code]!.id, servedOn, minutes });
  await serve(t.app, adminKey, entry(teamA.id, 'home_repair', '2026-01-10', 120));
  await serve(t.app, adminKey, entry(teamB.id, 'loving_care', '2026-02-10', 60));
  await serve(t.app, adminKey, entry(teamA.id, 'loving_care', '2026-03-10', 20));
  await record(t.app, adminKey, { ...entry(teamA.id, 'home_repair', '2026-03-11', 300), source: 'self_report' });
  await transition(t.app, adminKey, (await serve(t.app, adminKey, entry(teamB.id, 'home_repair', '2026-03-12', 240))).id, 'void');
});
afterAll(async () => { await t.close(); });

const recordOf = (key: string, id = volunteer.id) => report(t.app, key, `/v1/volunteers/${id}/service-record`);

describe('GET /v1/volunteers/{id}/service-record', () => {
  test('approved minutes only, by category and by organization, with the star level of the community\'s thresholds', async () => {
    expect(await recordOf(adminKey)).toEqual({
      volunteer: { id: volunteer.id, volunteerCode: volunteer.volunteerCode, name: volunteer.name, communityId: community.id },
      minutes: 200,
      hours: 3.33,
      entries: 3,
      starLevel: 3,
      starThresholds: [1, 2, 3, 4, 5],
      byCategory: [
        { categoryId: cats.home_repair!.id, code: 'home_repair', name: '家政维修', minutes: 120, hours: 2, entries: 1 },
        { categoryId: cats.loving_care!.id, code: 'loving_care', name: '爱心关怀', minutes: 80, hours: 1.33, entries: 2 },
      ],
      byOrganization: [
        { organizationId: teamA.id, name: 'A队·服务', minutes: 140, hours: 2.33, entries: 2 },
        { organizationId: teamB.id, name: 'B队·服务', minutes: 60, hours: 1, entries: 1 },
      ],
    });
  });

  test('a star is earned on reaching its threshold exactly: 179 minutes is two stars, 180 is three', async () => {
    const other = await registerMember(t.app, adminKey, community.id, teamA.id);
    const base = { volunteerId: other.id, organizationId: teamA.id, categoryId: cats.home_repair!.id };
    await serve(t.app, adminKey, { ...base, servedOn: '2026-04-01', minutes: 179 });
    expect(await recordOf(adminKey, other.id)).toMatchObject({ minutes: 179, hours: 2.98, starLevel: 2 });
    await serve(t.app, adminKey, { ...base, servedOn: '2026-04-02', minutes: 1 });
    expect(await recordOf(adminKey, other.id)).toMatchObject({ minutes: 180, hours: 3, starLevel: 3 });
  });

  test('thresholds changed on the community change the star level; the default ones are 100/300/600/1000/1500 hours', async () => {
    const patched = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { starThresholds: [2, 4, 6, 8, 10] });
    expect(patched.statusCode).toBe(200);
    expect(await recordOf(adminKey)).toMatchObject({ starLevel: 1, starThresholds: [2, 4, 6, 8, 10] });
    expect((await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { starThresholds: [1, 2, 3, 4, 5] })).statusCode).toBe(200);
    const plain = await createTenant(t.app, t.adminKey);
    const member = await registerMember(t.app, plain.communityAdminKey, plain.community.id, plain.organization.id);
    expect(await recordOf(plain.communityAdminKey, member.id)).toMatchObject({
      minutes: 0, hours: 0, entries: 0, starLevel: 0, starThresholds: [100, 300, 600, 1000, 1500], byCategory: [], byOrganization: [],
    });
  });

  test('only keys that may see the volunteer get the record: another community or another organization\'s coordinator is 404', async () => {
    const stranger = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, stranger.communityAdminKey, 'GET', `/v1/volunteers/${volunteer.id}/service-record`), 404, 'not_found');
    const teamC = await createOrganization(t.app, t.adminKey, community.id);
    const outsider = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: teamC.id });
    expectProblem(await call(t.app, outsider, 'GET', `/v1/volunteers/${volunteer.id}/service-record`), 404, 'not_found');
    const coordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: teamB.id });
    expect((await recordOf(coordinator)).minutes).toBe(200);
    expectProblem(await call(t.app, adminKey, 'GET', '/v1/volunteers/0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70/service-record'), 404, 'not_found');
  });

  test('as CSV: one line per category and per organization', async () => {
    const res = await call(t.app, adminKey, 'GET', `/v1/volunteers/${volunteer.id}/service-record?format=csv`);
    const { header, records } = csvOf(res);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="service-record-${volunteer.volunteerCode}.csv"`);
    expect(header).toEqual(['dimension', 'id', 'code', 'name', 'minutes', 'hours', 'entries']);
    expect(records).toEqual([
      ['category', cats.home_repair!.id, 'home_repair', '家政维修', '120', '2', '1'],
      ['category', cats.loving_care!.id, 'loving_care', '爱心关怀', '80', '1.33', '2'],
      ['organization', teamA.id, '', 'A队·服务', '140', '2.33', '2'],
      ['organization', teamB.id, '', 'B队·服务', '60', '1', '1'],
    ]);
  });
});
