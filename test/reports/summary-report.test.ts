import { createCommunity, createKey, createOrganization, createVolunteer, registerMember } from '../helpers/factories.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { csvOf } from './csv-support.js';
import { uniqueRegionPrefix } from './ledger-builder.js';
import { categories, record, report, serve, transition } from './report-fixtures.js';

let t: TestApp;
let prefix: string;
let community: Record<string, any>;
let org1: Record<string, any>;
let org2: Record<string, any>;
let reporter: string;

async function ok(method: 'POST' | 'PATCH', url: string, body?: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await call(t.app, t.adminKey, method, url, body);
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/**
 * A community of population 2000: four registered volunteers (a fifth withdrew), three of whom
 * served; two live organizations (a third archived); two active love cards (a third released);
 * one active agreement (another expired, a third terminated).
 */
beforeAll(async () => {
  t = await createTestApp();
  prefix = uniqueRegionPrefix();
  community = await createCommunity(t.app, t.adminKey, { regionCode: `${prefix}100`, population: 2000 });
  const id = community.id;
  reporter = await createKey(t.app, t.adminKey, { role: 'reporter', regionCode: prefix });
  org1 = await createOrganization(t.app, t.adminKey, id, { approvalPolicy: 'auto' });
  org2 = await createOrganization(t.app, t.adminKey, id, { approvalPolicy: 'auto' });
  const archived = await createOrganization(t.app, t.adminKey, id);
  await ok('POST', `/v1/organizations/${archived.id}/archive`);
  const cats = await categories(t.app, t.adminKey, id);
  const [v1, v2] = [await registerMember(t.app, t.adminKey, id, org1.id), await registerMember(t.app, t.adminKey, id, org1.id)];
  const v3 = await registerMember(t.app, t.adminKey, id, org2.id);
  await createVolunteer(t.app, t.adminKey, id);
  const gone = await createVolunteer(t.app, t.adminKey, id);
  await ok('PATCH', `/v1/volunteers/${gone.id}`, { status: 'withdrawn' });
  const entry = (v: Record<string, any>, organizationId: string, servedOn: string, minutes: number) => ({ volunteerId: v.id, organizationId, categoryId: cats.home_repair!.id, servedOn, minutes });
  await serve(t.app, t.adminKey, entry(v1, org1.id, '2026-03-01', 60));
  await serve(t.app, t.adminKey, entry(v2, org1.id, '2026-03-02', 30));
  await serve(t.app, t.adminKey, entry(v3, org2.id, '2026-04-03', 90));
  await record(t.app, t.adminKey, { ...entry(v3, org2.id, '2026-04-04', 400), source: 'self_report' });
  await transition(t.app, t.adminKey, (await serve(t.app, t.adminKey, entry(v1, org1.id, '2026-04-05', 200))).id, 'void');

  await ok('POST', '/v1/love-cards', { organizationId: org1.id, categoryId: cats.home_repair!.id, claimedOn: '2026-01-01', pledge: '上门维修' });
  await ok('POST', '/v1/love-cards', { organizationId: org2.id, categoryId: cats.home_repair!.id });
  const released = await ok('POST', '/v1/love-cards', { organizationId: org2.id, categoryId: cats.loving_care!.id });
  await ok('POST', `/v1/love-cards/${released.id}/release`);
  const agreement = (organizationId: string, signedOn: string, validUntil: string | null) => ok('POST', '/v1/agreements', { communityId: id, organizationId, title: '共驻共建协议书', signedOn, validUntil });
  await agreement(org1.id, '2026-01-15', '2099-12-31');
  await agreement(org2.id, '2024-01-01', '2025-12-31');
  await ok('POST', `/v1/agreements/${(await agreement(org2.id, '2026-01-01', null)).id}/terminate`, {});
});
afterAll(async () => { await t.close(); });

const summary = (query = '') => report(t.app, reporter, `/v1/reports/summary?communityId=${community.id}&${query}`);

describe('GET /v1/reports/summary', () => {
  test('headline figures: registered and active volunteers, entries, minutes, organizations, love cards, agreements, rates', async () => {
    expect(await summary()).toEqual({
      volunteers: { registered: 4, active: 3 },
      entries: 3,
      minutes: 180,
      hours: 3,
      organizations: 2,
      loveCards: { active: 2 },
      agreements: { active: 1 },
      averageHoursPerActiveVolunteer: 1,
      registrationRate: 0.002,
    });
  });

  test('from/to narrow the service counted (active, entries, minutes), never the registry', async () => {
    expect(await summary('from=2026-04-01&to=2026-04-30')).toMatchObject({
      volunteers: { registered: 4, active: 1 }, entries: 1, minutes: 90, hours: 1.5, averageHoursPerActiveVolunteer: 1.5, organizations: 2,
    });
    expect(await summary('from=2026-03-02&to=2026-04-02')).toMatchObject({ volunteers: { active: 1 }, entries: 1, minutes: 30, averageHoursPerActiveVolunteer: 0.5 });
    expect(await summary('from=2026-05-01')).toMatchObject({ volunteers: { registered: 4, active: 0 }, entries: 0, minutes: 0, hours: 0, averageHoursPerActiveVolunteer: null });
  });

  test('organizationId narrows everything to the organization: its members, service, cards and agreements', async () => {
    expect(await summary(`organizationId=${org1.id}`)).toEqual({
      volunteers: { registered: 2, active: 2 },
      entries: 2,
      minutes: 90,
      hours: 1.5,
      organizations: 1,
      loveCards: { active: 1 },
      agreements: { active: 1 },
      averageHoursPerActiveVolunteer: 0.75,
      registrationRate: 0.001,
    });
  });

  test('registrationRate is null when no community in scope has a population, and uses only those that have one', async () => {
    const unknown = await createCommunity(t.app, t.adminKey, { regionCode: `${prefix}200` });
    await createVolunteer(t.app, t.adminKey, unknown.id);
    expect(await report(t.app, reporter, `/v1/reports/summary?communityId=${unknown.id}`)).toMatchObject({
      volunteers: { registered: 1, active: 0 }, organizations: 0, loveCards: { active: 0 }, agreements: { active: 0 }, averageHoursPerActiveVolunteer: null, registrationRate: null,
    });
    expect(await report(t.app, reporter, '/v1/reports/summary')).toMatchObject({ volunteers: { registered: 5, active: 3 }, minutes: 180, registrationRate: 0.002 });
  });

  test('as CSV: one header row and one row of the same figures', async () => {
    const { header, records } = csvOf(await call(t.app, reporter, 'GET', `/v1/reports/summary?communityId=${community.id}`, undefined, { accept: 'text/csv' }));
    expect(header).toEqual([
      'registeredVolunteers', 'activeVolunteers', 'entries', 'minutes', 'hours', 'organizations',
      'activeLoveCards', 'activeAgreements', 'averageHoursPerActiveVolunteer', 'registrationRate',
    ]);
    expect(records).toEqual([['4', '3', '3', '180', '3', '2', '2', '1', '1', '0.002']]);
  });
});
