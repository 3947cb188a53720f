import { createCommunity, createKey, createOrganization, createTenant, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { BOM, csvOf, parseCsv } from './csv-support.js';
import { categories, serve } from './report-fixtures.js';

let t: TestApp;
let community: Record<string, any>;
let organization: Record<string, any>;
let reporter: string;
const COMMUNITY = '渭水苑社区, "东区"';
const ORGANIZATION = '爱心"先锋", 服务队';

beforeAll(async () => {
  t = await createTestApp();
  community = await createCommunity(t.app, t.adminKey, { name: COMMUNITY });
  organization = await createOrganization(t.app, t.adminKey, community.id, { name: ORGANIZATION, approvalPolicy: 'auto' });
  reporter = await createKey(t.app, t.adminKey, { role: 'reporter', communityId: community.id });
  const volunteer = await registerMember(t.app, t.adminKey, community.id, organization.id);
  const categoryId = (await categories(t.app, t.adminKey, community.id)).environment_health!.id;
  await serve(t.app, t.adminKey, { volunteerId: volunteer.id, organizationId: organization.id, categoryId, servedOn: '2026-01-05', minutes: 60 });
});
afterAll(async () => { await t.close(); });

const url = (groupBy: string, extra = '') => `/v1/reports/hours?communityId=${community.id}&groupBy=${groupBy}${extra}`;

describe('reports as CSV', () => {
  test('UTF-8 with a byte-order mark, a header row, CRLF lines and RFC 4180 quoting of commas and quotes; Chinese intact', async () => {
    const res = await call(t.app, reporter, 'GET', url('community,organization', '&format=csv'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="hours.csv"');
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.rawPayload.toString('utf8')).toBe(`${BOM}communityId,communityName,organizationId,organizationName,minutes,hours,entries,volunteers\r\n`
      + `${community.id},"渭水苑社区, ""东区""",${organization.id},"爱心""先锋"", 服务队",60,1,1,1\r\n`);
    expect(csvOf(res).records).toEqual([[community.id, COMMUNITY, organization.id, ORGANIZATION, '60', '1', '1', '1']]);
  });

  test('Accept: text/csv asks for CSV as format=csv does; format wins over Accept; JSON otherwise', async () => {
    const byAccept = await call(t.app, reporter, 'GET', url('month'), undefined, { accept: 'text/csv' });
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(parseCsv(byAccept.body.slice(1))).toEqual([['period', 'minutes', 'hours', 'entries', 'volunteers'], ['2026-01', '60', '1', '1', '1']]);
    const formatJson = await call(t.app, reporter, 'GET', url('month', '&format=json'), undefined, { accept: 'text/csv' });
    expect(formatJson.headers['content-type']).toMatch(/^application\/json/);
    expect(formatJson.json().rows).toEqual([{ period: '2026-01', minutes: 60, hours: 1, entries: 1, volunteers: 1 }]);
    const plain = await call(t.app, reporter, 'GET', url('month'));
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    const preferJson = await call(t.app, reporter, 'GET', url('month'), undefined, { accept: 'application/json, text/csv' });
    expect(preferJson.headers['content-type']).toMatch(/^application\/json/);
  });

  test.each([
    ['text/csv;q=0.5, application/json', 'application/json'],
    ['application/json;q=0.5, text/csv', 'text/csv'],
    ['text/csv, */*;q=0.1', 'text/csv'],
    ['*/*, text/csv', 'text/csv'],
    ['text/csv;q=0, application/json', 'application/json'],
    ['*/*', 'application/json'],
  ])('Accept: %s answers %s (q-values weigh, a named type beats a wildcard)', async (accept, type) => {
    const res = await call(t.app, reporter, 'GET', url('month'), undefined, { accept });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(new RegExp(`^${type}`));
  });

  test('an export read from the ledger takes one connection, its labels included: whole with a pool of one', async () => {
    // Its lookups of names once took a second connection while the cursor held the first: with a
    // pool of one, it waited for itself until the connect timeout broke the response off.
    const one = await createTestApp({ DB_POOL_MAX: '1', DB_CONNECT_TIMEOUT_MS: '500' });
    try {
      const place = await createCommunity(one.app, one.adminKey, { name: '单连接社区' });
      const team = await createOrganization(one.app, one.adminKey, place.id, { approvalPolicy: 'auto' });
      const volunteer = await registerMember(one.app, one.adminKey, place.id, team.id);
      const category = (await categories(one.app, one.adminKey, place.id)).home_repair!;
      await serve(one.app, one.adminKey, { volunteerId: volunteer.id, organizationId: team.id, categoryId: category.id, servedOn: '2026-01-05', minutes: 45 });
      // By category and day: from the ledger, through the stream, not from the monthly rollups.
      const res = await call(one.app, one.adminKey, 'GET', `/v1/reports/hours?communityId=${place.id}&groupBy=category,day&from=2026-01-01&to=2026-01-31&format=csv`);
      expect(res.statusCode).toBe(200);
      expect(csvOf(res).records).toEqual([[category.id, 'home_repair', category.name, '2026-01-05', '45', '0.75', '1', '1']]);
    } finally {
      await one.close();
    }
  });

  test('an empty report is the header row alone', async () => {
    const res = await call(t.app, reporter, 'GET', url('category,week', '&from=2020-01-01&to=2020-12-31&format=csv'));
    expect(csvOf(res)).toEqual({ header: ['categoryId', 'categoryCode', 'categoryName', 'period', 'minutes', 'hours', 'entries', 'volunteers'], records: [] });
  });

  test('a name a spreadsheet would run as a formula is written as text', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const formula = await createOrganization(t.app, t.adminKey, tenant.community.id, { name: '=HYPERLINK("http://x")', approvalPolicy: 'auto' });
    const volunteer = await registerMember(t.app, t.adminKey, tenant.community.id, formula.id);
    const categoryId = (await categories(t.app, t.adminKey, tenant.community.id)).home_repair!.id;
    await serve(t.app, t.adminKey, { volunteerId: volunteer.id, organizationId: formula.id, categoryId, servedOn: '2026-01-05', minutes: 30 });
    const res = await call(t.app, tenant.reporterKey, 'GET', `/v1/reports/hours?groupBy=organization&format=csv`);
    expect(csvOf(res).records).toEqual([[formula.id, '\'=HYPERLINK("http://x")', '30', '0.5', '1', '1']]);
  });

  test('errors stay problem+json when CSV was asked for', async () => {
    const other = await createCommunity(t.app, t.adminKey);
    expectProblem(await call(t.app, reporter, 'GET', `/v1/reports/hours?groupBy=month&communityId=${other.id}&format=csv`), 404, 'not_found');
    expectProblem(await call(t.app, reporter, 'GET', '/v1/reports/hours?groupBy=planet', undefined, { accept: 'text/csv' }), 400, 'invalid_parameter');
  });
});
