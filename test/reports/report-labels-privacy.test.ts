import { createKey, createLedgerTenant, createOrganization, uniquePhone } from '../helpers/factories.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { csvOf } from './csv-support.js';
import { categories, report, serve } from './report-fixtures.js';

let t: TestApp;
let l: Awaited<ReturnType<typeof createLedgerTenant>>;
let second: Record<string, any>;
let volunteer: Record<string, any>;
const NAME = '欧阳娜娜';
const PHONE = uniquePhone();
const MASKED = `${PHONE.slice(0, 3)}****${PHONE.slice(-4)}`;
let cats: Awaited<ReturnType<typeof categories>>;

beforeAll(async () => {
  t = await createTestApp();
  l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
  second = await createOrganization(t.app, t.adminKey, l.community.id, { name: '第二志愿队', approvalPolicy: 'auto' });
  const created = await call(t.app, l.communityAdminKey, 'POST', '/v1/volunteers', {
    communityId: l.community.id, name: NAME, phone: PHONE, inServicePartyMember: true, workplaceOrganizationId: second.id, idNumber: '110101199003074514',
  });
  expect(created.statusCode).toBe(201);
  volunteer = created.json();
  for (const organizationId of [l.organization.id, second.id]) {
    expect((await call(t.app, l.communityAdminKey, 'POST', `/v1/organizations/${organizationId}/members`, { volunteerId: volunteer.id })).statusCode).toBe(201);
  }
  cats = await categories(t.app, t.adminKey, l.community.id);
  const base = { volunteerId: volunteer.id, servedOn: '2026-02-03', minutes: 50 };
  await serve(t.app, l.communityAdminKey, { ...base, organizationId: l.organization.id, categoryId: cats.home_repair!.id });
  await serve(t.app, l.communityAdminKey, { ...base, organizationId: second.id, categoryId: cats.loving_care!.id, servedOn: '2026-02-04' });
});
afterAll(async () => { await t.close(); });

const hours = (key: string, groupBy: string) => report(t.app, key, `/v1/reports/hours?communityId=${l.community.id}&groupBy=${groupBy}`);

describe('report rows carry readable labels, and never personal data', () => {
  test('rows carry communityName, organizationName, categoryCode and categoryName beside their ids', async () => {
    const byOrganization = await hours(l.reporterKey, 'community,organization');
    expect(byOrganization.rows).toEqual(expect.arrayContaining([
      { communityId: l.community.id, communityName: l.community.name, organizationId: l.organization.id, organizationName: l.organization.name, minutes: 50, hours: 0.83, entries: 1, volunteers: 1 },
      { communityId: l.community.id, communityName: l.community.name, organizationId: second.id, organizationName: '第二志愿队', minutes: 50, hours: 0.83, entries: 1, volunteers: 1 },
    ]));
    expect(byOrganization.rows).toHaveLength(2);
    const byCategory = await hours(l.reporterKey, 'category,month');
    expect(byCategory.rows).toEqual(expect.arrayContaining([
      { categoryId: cats.home_repair!.id, categoryCode: 'home_repair', categoryName: '家政维修', period: '2026-02', minutes: 50, hours: 0.83, entries: 1, volunteers: 1 },
      { categoryId: cats.loving_care!.id, categoryCode: 'loving_care', categoryName: '爱心关怀', period: '2026-02', minutes: 50, hours: 0.83, entries: 1, volunteers: 1 },
    ]));
    // One person in two organizations: two rows of one volunteer each, one volunteer in the total.
    expect(byOrganization.totals).toEqual({ minutes: 100, hours: 1.67, entries: 2, volunteers: 1 });
  });

  test('grouping by volunteer gives the volunteerCode only: no name, no phone, in JSON and in CSV', async () => {
    const json = await call(t.app, l.reporterKey, 'GET', `/v1/reports/hours?communityId=${l.community.id}&groupBy=volunteer,organization`);
    expect(json.statusCode).toBe(200);
    const own = json.json().rows.filter((r: Record<string, unknown>) => r.volunteerId === volunteer.id);
    expect(own).toHaveLength(2);
    for (const row of own) {
      expect(Object.keys(row).sort()).toEqual(['entries', 'hours', 'minutes', 'organizationId', 'organizationName', 'volunteerCode', 'volunteerId', 'volunteers']);
      expect(row.volunteerCode).toBe(volunteer.volunteerCode);
    }
    const csv = await call(t.app, l.reporterKey, 'GET', `/v1/reports/hours?communityId=${l.community.id}&groupBy=volunteer&format=csv`);
    expect(csvOf(csv).header).toEqual(['volunteerId', 'volunteerCode', 'minutes', 'hours', 'entries', 'volunteers']);
    for (const res of [json, csv]) {
      expect(res.body).not.toContain(NAME);
      expect(res.body).not.toContain(PHONE);
      expect(res.body).not.toContain(MASKED);
      expect(res.body).not.toContain('110101');
    }
  });

  test('no report a reporter can read holds a volunteer\'s name or phone number', async () => {
    const region = await createKey(t.app, t.adminKey, { role: 'reporter', regionCode: l.community.regionCode });
    const urls = ['/v1/reports/summary', '/v1/reports/love-cards', '/v1/reports/party-members', ...['volunteer', 'volunteer,day', 'volunteer,week', 'community,volunteer', 'category,volunteer'].map((g) => `/v1/reports/hours?groupBy=${g}`)];
    for (const key of [l.reporterKey, region]) {
      for (const url of urls) {
        for (const format of ['json', 'csv']) {
          const res = await call(t.app, key, 'GET', `${url}${url.includes('?') ? '&' : '?'}format=${format}`);
          expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
          expect(res.body).toContain(format === 'csv' ? 'minutes' : '"minutes"');
          for (const secret of [NAME, PHONE, MASKED, '110101']) expect({ url, leaked: res.body.includes(secret) }).toEqual({ url, leaked: false });
        }
      }
    }
  });

  test('the party-members row names the workplace, not the member', async () => {
    const party = await report(t.app, l.reporterKey, `/v1/reports/party-members?communityId=${l.community.id}`);
    expect(party.rows).toEqual([{ workplaceOrganizationId: second.id, workplaceOrganizationName: '第二志愿队', minutes: 100, hours: 1.67, entries: 2, volunteers: 1 }]);
  });
});
