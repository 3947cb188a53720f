import { createCommunity, createKey, createOrganization, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { uniqueRegionPrefix } from './ledger-builder.js';
import { categories, report, serve, ZERO } from './report-fixtures.js';

let t: TestApp;

/** Two communities A and B under one region prefix, C elsewhere; A has two organizations. */
interface Place { id: string; regionCode: string; organizations: string[]; categoryId: string }
let prefix: string;
let a: Place;
let b: Place;
let c: Place;
const REPORTS = ['/v1/reports/summary?', '/v1/reports/hours?groupBy=community&', '/v1/reports/love-cards?', '/v1/reports/party-members?'];

async function place(regionCode: string | undefined, minutes: number[]): Promise<Place> {
  const community = await createCommunity(t.app, t.adminKey, regionCode ? { regionCode } : {});
  const categoryId = (await categories(t.app, t.adminKey, community.id)).home_repair!.id;
  const organizations: string[] = [];
  for (const m of minutes) {
    const organization = await createOrganization(t.app, t.adminKey, community.id, { approvalPolicy: 'auto' });
    const volunteer = await registerMember(t.app, t.adminKey, community.id, organization.id);
    await serve(t.app, t.adminKey, { volunteerId: volunteer.id, organizationId: organization.id, categoryId, servedOn: '2026-03-10', minutes: m });
    organizations.push(organization.id);
  }
  return { id: community.id, regionCode: community.regionCode, organizations, categoryId };
}

beforeAll(async () => {
  t = await createTestApp();
  prefix = uniqueRegionPrefix();
  a = await place(`${prefix}100`, [60, 30]);
  b = await place(`${prefix}200`, [45]);
  c = await place(undefined, [15]);
});
afterAll(async () => { await t.close(); });

const hours = (key: string, query = '') => report(t.app, key, `/v1/reports/hours?groupBy=community,organization&${query}`);
const minutesByCommunity = (rows: Array<{ communityId: string; minutes: number }>) =>
  rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.communityId]: (acc[r.communityId] ?? 0) + r.minutes }), {});

describe('report scope: what each key may see', () => {
  test('a reporter scoped to a community sees only it; another community is 404 and another region is empty', async () => {
    const key = await createKey(t.app, t.adminKey, { role: 'reporter', communityId: a.id });
    const own = await hours(key);
    expect(minutesByCommunity(own.rows)).toEqual({ [a.id]: 90 });
    expect(own.totals).toEqual({ minutes: 90, hours: 1.5, entries: 2, volunteers: 2 });
    expect((await report(t.app, key, '/v1/reports/summary')).minutes).toBe(90);
    for (const url of REPORTS) expectProblem(await call(t.app, key, 'GET', `${url}communityId=${b.id}`), 404, 'not_found');
    expect(await hours(key, `regionCode=${b.regionCode}`)).toEqual({ rows: [], totals: ZERO });
    expect(await report(t.app, key, `/v1/reports/summary?regionCode=${b.regionCode}`)).toMatchObject({ minutes: 0, entries: 0, volunteers: { registered: 0, active: 0 } });
  });

  test('a reporter with a regionCode prefix sees every community under it and nothing else', async () => {
    const key = await createKey(t.app, t.adminKey, { role: 'reporter', regionCode: prefix });
    const all = await hours(key);
    expect(minutesByCommunity(all.rows)).toEqual({ [a.id]: 90, [b.id]: 45 });
    expect(all.totals).toEqual({ minutes: 135, hours: 2.25, entries: 3, volunteers: 3 });
    expect(minutesByCommunity((await hours(key, `communityId=${b.id}`)).rows)).toEqual({ [b.id]: 45 });
    expect(minutesByCommunity((await hours(key, `regionCode=${a.regionCode}`)).rows)).toEqual({ [a.id]: 90 });
    for (const url of REPORTS) expectProblem(await call(t.app, key, 'GET', `${url}communityId=${c.id}`), 404, 'not_found');
    expect(await hours(key, `regionCode=${c.regionCode}`)).toEqual({ rows: [], totals: ZERO });
    expect(await report(t.app, key, `/v1/reports/party-members?regionCode=${c.regionCode}`)).toEqual({ rows: [], totals: ZERO });
    expect(await report(t.app, key, `/v1/reports/love-cards?regionCode=${c.regionCode}`)).toEqual({ rows: [] });
    expect(await report(t.app, key, `/v1/reports/summary?regionCode=${c.regionCode}`)).toMatchObject({ minutes: 0, organizations: 0, volunteers: { registered: 0 } });
  });

  test('a coordinator sees its own organization only; another organization or community is 404', async () => {
    const key = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: a.organizations[0] });
    const own = await hours(key);
    expect(own.rows.map((r: Record<string, unknown>) => [r.organizationId, r.minutes])).toEqual([[a.organizations[0], 60]]);
    expect(own.totals).toEqual({ minutes: 60, hours: 1, entries: 1, volunteers: 1 });
    expect(await report(t.app, key, '/v1/reports/summary')).toMatchObject({ minutes: 60, organizations: 1, volunteers: { registered: 1, active: 1 } });
    expect((await hours(key, `organizationId=${a.organizations[0]}`)).totals.minutes).toBe(60);
    for (const url of REPORTS) {
      expectProblem(await call(t.app, key, 'GET', `${url}organizationId=${a.organizations[1]}`), 404, 'not_found');
      expectProblem(await call(t.app, key, 'GET', `${url}communityId=${b.id}`), 404, 'not_found');
    }
  });

  test('a community admin of A asking for B, its organizations or its categories gets 404', async () => {
    const key = await createKey(t.app, t.adminKey, { role: 'community_admin', communityId: a.id });
    expect((await hours(key)).totals.minutes).toBe(90);
    for (const url of REPORTS) {
      expectProblem(await call(t.app, key, 'GET', `${url}communityId=${b.id}`), 404, 'not_found');
      expectProblem(await call(t.app, key, 'GET', `${url}organizationId=${b.organizations[0]}`), 404, 'not_found');
      expectProblem(await call(t.app, key, 'GET', `${url}categoryId=${b.categoryId}`), 404, 'not_found');
    }
    expect(await hours(key, `regionCode=${b.regionCode}`)).toEqual({ rows: [], totals: ZERO });
  });

  test('an admin sees any community, and an organization filter outside the chosen community is 404', async () => {
    expect(minutesByCommunity((await hours(t.adminKey, `regionCode=${prefix}`)).rows)).toEqual({ [a.id]: 90, [b.id]: 45 });
    expect((await hours(t.adminKey, `communityId=${c.id}`)).totals.minutes).toBe(15);
    expectProblem(await call(t.app, t.adminKey, 'GET', `/v1/reports/hours?groupBy=month&communityId=${a.id}&organizationId=${b.organizations[0]}`), 404, 'not_found');
    expectProblem(await call(t.app, t.adminKey, 'GET', `/v1/reports/summary?communityId=${a.id}&categoryId=${c.categoryId}`), 404, 'not_found');
  });
});
