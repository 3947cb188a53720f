import { createKey, createOrganization, createTenant, createVolunteer } from '../helpers/factories.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { expectCsvMatchesRows } from './csv-support.js';
import { categories, record, report, serve, transition } from './report-fixtures.js';

let t: TestApp;
let tenant: Awaited<ReturnType<typeof createTenant>>;
let employer: Record<'steel' | 'hospital', Record<string, any>>;
let team: Record<string, any>;
let otherTeam: Record<string, any>;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await createTenant(t.app, t.adminKey);
  const id = tenant.community.id;
  employer = {
    steel: await createOrganization(t.app, t.adminKey, id, { name: '宝钛集团', kind: 'enterprise' }),
    hospital: await createOrganization(t.app, t.adminKey, id, { name: '高新医院', kind: 'hospital' }),
  };
  team = await createOrganization(t.app, t.adminKey, id, { name: '红色先锋队', approvalPolicy: 'auto' });
  otherTeam = await createOrganization(t.app, t.adminKey, id, { name: '夕阳红', approvalPolicy: 'auto' });
  const categoryId = (await categories(t.app, t.adminKey, id)).public_security_patrol!.id;
  const person = async (body: Record<string, unknown>) => {
    const v = await createVolunteer(t.app, t.adminKey, id, { politicalStatus: 'party_member', ...body });
    for (const o of [team, otherTeam]) expect((await call(t.app, t.adminKey, 'POST', `/v1/organizations/${o.id}/members`, { volunteerId: v.id })).statusCode).toBe(201);
    return v;
  };
  const p1 = await person({ inServicePartyMember: true, workplaceOrganizationId: employer.steel.id });
  const p2 = await person({ inServicePartyMember: true, workplaceOrganizationId: employer.steel.id });
  const p3 = await person({ inServicePartyMember: true, workplaceOrganizationId: employer.hospital.id });
  const p4 = await person({ inServicePartyMember: true });
  const retired = await person({ inServicePartyMember: false, workplaceOrganizationId: employer.steel.id });
  const served = (v: Record<string, any>, servedOn: string, minutes: number, organizationId = team.id) => ({ volunteerId: v.id, organizationId, categoryId, servedOn, minutes });
  await serve(t.app, t.adminKey, served(p1, '2026-03-01', 60));
  await serve(t.app, t.adminKey, served(p1, '2026-04-02', 30));
  await serve(t.app, t.adminKey, served(p2, '2026-03-03', 45));
  await serve(t.app, t.adminKey, served(p2, '2026-03-04', 10, otherTeam.id));
  await serve(t.app, t.adminKey, served(p3, '2026-03-05', 20));
  await serve(t.app, t.adminKey, served(p4, '2026-03-06', 15));
  await serve(t.app, t.adminKey, served(retired, '2026-03-07', 100));
  await record(t.app, t.adminKey, { ...served(p1, '2026-03-08', 500), source: 'self_report' });
  await transition(t.app, t.adminKey, (await serve(t.app, t.adminKey, served(p3, '2026-03-09', 40))).id, 'void');
});
afterAll(async () => { await t.close(); });

const partyMembers = (key: string, query = '') => report(t.app, key, `/v1/reports/party-members?communityId=${tenant.community.id}&${query}`);
const byWorkplace = (rows: Array<Record<string, any>>) => Object.fromEntries(rows.map((r) => [r.workplaceOrganizationId ?? 'none', r]));

describe('GET /v1/reports/party-members', () => {
  test('approved hours of in-service party members, one row per workplace, members without one together', async () => {
    const body = await partyMembers(tenant.reporterKey);
    expect(body.rows).toHaveLength(3);
    expect(byWorkplace(body.rows)).toEqual({
      [employer.steel.id]: { workplaceOrganizationId: employer.steel.id, workplaceOrganizationName: '宝钛集团', minutes: 145, hours: 2.42, entries: 4, volunteers: 2 },
      [employer.hospital.id]: { workplaceOrganizationId: employer.hospital.id, workplaceOrganizationName: '高新医院', minutes: 20, hours: 0.33, entries: 1, volunteers: 1 },
      none: { workplaceOrganizationId: null, workplaceOrganizationName: null, minutes: 15, hours: 0.25, entries: 1, volunteers: 1 },
    });
  });

  test('totals: minutes and entries are the sums of the rows, volunteers the distinct members', async () => {
    const body = await partyMembers(tenant.reporterKey);
    expect(body.totals).toEqual({ minutes: 180, hours: 3, entries: 6, volunteers: 4 });
    expect(body.totals.minutes).toBe(body.rows.reduce((n: number, r: { minutes: number }) => n + r.minutes, 0));
  });

  test('from/to and organizationId narrow what is counted; a coordinator sees its own organization\'s service', async () => {
    const april = await partyMembers(tenant.reporterKey, 'from=2026-04-01&to=2026-04-30');
    expect(april).toEqual({
      rows: [{ workplaceOrganizationId: employer.steel.id, workplaceOrganizationName: '宝钛集团', minutes: 30, hours: 0.5, entries: 1, volunteers: 1 }],
      totals: { minutes: 30, hours: 0.5, entries: 1, volunteers: 1 },
    });
    const other = await partyMembers(tenant.reporterKey, `organizationId=${otherTeam.id}`);
    expect(other.totals).toEqual({ minutes: 10, hours: 0.17, entries: 1, volunteers: 1 });
    const coordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: otherTeam.id });
    expect(await report(t.app, coordinator, '/v1/reports/party-members')).toEqual(other);
  });

  test('as CSV, row for row with the JSON', async () => {
    const body = await partyMembers(tenant.reporterKey);
    const csv = await call(t.app, tenant.reporterKey, 'GET', `/v1/reports/party-members?communityId=${tenant.community.id}&format=csv`);
    expectCsvMatchesRows(csv, ['workplaceOrganizationId', 'workplaceOrganizationName', 'minutes', 'hours', 'entries', 'volunteers'], body.rows);
  });
});
