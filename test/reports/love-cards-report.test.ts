import { createKey, createOrganization, createTenant, registerMember } from '../helpers/factories.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { csvOf } from './csv-support.js';
import { categories, record, report, serve, transition, ZERO } from './report-fixtures.js';

let t: TestApp;
let tenant: Awaited<ReturnType<typeof createTenant>>;
let cats: Awaited<ReturnType<typeof categories>>;
/** 甲 and 乙 hold home_repair, 乙 also loving_care; 丙 never claimed; 丁 claimed home_repair and released it. */
const org: Record<'jia' | 'yi' | 'bing' | 'ding', Record<string, any>> = {} as never;

async function claim(organizationId: string, categoryId: string, claimedOn: string): Promise<Record<string, any>> {
  const res = await call(t.app, t.adminKey, 'POST', '/v1/love-cards', { organizationId, categoryId, claimedOn, pledge: '每月上门服务' });
  if (res.statusCode !== 201) throw new Error(`claim: ${res.statusCode} ${res.body}`);
  return res.json();
}

beforeAll(async () => {
  t = await createTestApp();
  tenant = await createTenant(t.app, t.adminKey);
  const id = tenant.community.id;
  cats = await categories(t.app, t.adminKey, id);
  org.jia = await createOrganization(t.app, t.adminKey, id, { name: '甲单位', kind: 'enterprise', approvalPolicy: 'auto' });
  org.yi = await createOrganization(t.app, t.adminKey, id, { name: '乙单位', kind: 'hospital', approvalPolicy: 'auto' });
  org.bing = await createOrganization(t.app, t.adminKey, id, { name: '丙单位', kind: 'shop', approvalPolicy: 'auto' });
  org.ding = await createOrganization(t.app, t.adminKey, id, { name: '丁单位', kind: 'school', approvalPolicy: 'auto' });
  await claim(org.jia.id, cats.home_repair!.id, '2026-01-05');
  await claim(org.yi.id, cats.home_repair!.id, '2026-01-03');
  await claim(org.yi.id, cats.loving_care!.id, '2026-02-01');
  const released = await claim(org.ding.id, cats.home_repair!.id, '2026-01-01');
  expect((await call(t.app, t.adminKey, 'POST', `/v1/love-cards/${released.id}/release`)).statusCode).toBe(200);

  const v1 = await registerMember(t.app, t.adminKey, id, org.jia.id);
  expect((await call(t.app, t.adminKey, 'POST', `/v1/organizations/${org.yi.id}/members`, { volunteerId: v1.id })).statusCode).toBe(201);
  const v2 = await registerMember(t.app, t.adminKey, id, org.bing.id);
  expect((await call(t.app, t.adminKey, 'POST', `/v1/organizations/${org.ding.id}/members`, { volunteerId: v2.id })).statusCode).toBe(201);
  const hr = cats.home_repair!.id;
  const lc = cats.loving_care!.id;
  const entry = (volunteerId: string, organizationId: string, categoryId: string, servedOn: string, minutes: number) => ({ volunteerId, organizationId, categoryId, servedOn, minutes });
  await serve(t.app, t.adminKey, entry(v1.id, org.jia.id, hr, '2026-03-01', 60));
  await serve(t.app, t.adminKey, entry(v1.id, org.yi.id, hr, '2026-03-02', 30));
  await serve(t.app, t.adminKey, entry(v1.id, org.jia.id, lc, '2026-03-03', 20)); // 甲 holds no loving_care card
  await serve(t.app, t.adminKey, entry(v1.id, org.yi.id, lc, '2026-03-04', 40));
  await serve(t.app, t.adminKey, entry(v2.id, org.bing.id, hr, '2026-03-05', 100)); // 丙 holds no card
  await serve(t.app, t.adminKey, entry(v2.id, org.ding.id, hr, '2026-03-06', 50)); // 丁's card was released
  await record(t.app, t.adminKey, { ...entry(v1.id, org.jia.id, hr, '2026-03-07', 45), source: 'self_report' }); // pending
  const voided = await serve(t.app, t.adminKey, entry(v1.id, org.yi.id, hr, '2026-03-08', 25));
  await transition(t.app, t.adminKey, voided.id, 'void');
});
afterAll(async () => { await t.close(); });

const loveCards = (query = '') => report(t.app, tenant.reporterKey, `/v1/reports/love-cards?communityId=${tenant.community.id}&${query}`);
const rowOf = (body: Record<string, any>, code: string) => body.rows.find((r: { code: string }) => r.code === code);

describe('GET /v1/reports/love-cards', () => {
  test('one row per category of the community, with its code and name', async () => {
    const body = await loveCards();
    expect(body.rows).toHaveLength(Object.keys(cats).length);
    expect(body.rows.map((r: { code: string }) => r.code).sort()).toEqual(Object.keys(cats).sort());
    for (const row of body.rows) expect(row).toMatchObject({ communityId: tenant.community.id, categoryId: cats[row.code]!.id, name: cats[row.code]!.name });
    expect(rowOf(body, 'medical_rescue')).toMatchObject({ claims: [], ...ZERO });
  });

  test('claims list the units holding an active card, with organizationName and claimedOn; released cards are gone', async () => {
    const body = await loveCards();
    expect(rowOf(body, 'home_repair').claims).toEqual([
      { organizationId: org.yi.id, organizationName: '乙单位', claimedOn: '2026-01-03' },
      { organizationId: org.jia.id, organizationName: '甲单位', claimedOn: '2026-01-05' },
    ]);
    expect(rowOf(body, 'loving_care').claims).toEqual([{ organizationId: org.yi.id, organizationName: '乙单位', claimedOn: '2026-02-01' }]);
  });

  test('minutes count approved service in the category by the claiming units only, each person once', async () => {
    const body = await loveCards();
    expect(rowOf(body, 'home_repair')).toMatchObject({ minutes: 90, hours: 1.5, entries: 2, volunteers: 1 });
    expect(rowOf(body, 'loving_care')).toMatchObject({ minutes: 40, hours: 0.67, entries: 1, volunteers: 1 });
  });

  test('from/to and organizationId narrow both the service counted and the claims shown', async () => {
    expect(rowOf(await loveCards('from=2026-03-02&to=2026-03-31'), 'home_repair')).toMatchObject({ minutes: 30, entries: 1 });
    expect(rowOf(await loveCards('from=2026-04-01'), 'home_repair')).toMatchObject({ ...ZERO, claims: expect.any(Array) });
    const jia = await loveCards(`organizationId=${org.jia.id}`);
    expect(rowOf(jia, 'home_repair')).toMatchObject({ claims: [{ organizationId: org.jia.id, organizationName: '甲单位', claimedOn: '2026-01-05' }], minutes: 60, entries: 1 });
    expect(rowOf(jia, 'loving_care')).toMatchObject({ claims: [], ...ZERO });
    const coordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: org.yi.id });
    const yi = await report(t.app, coordinator, '/v1/reports/love-cards');
    expect(rowOf(yi, 'home_repair')).toMatchObject({ claims: [{ organizationId: org.yi.id }], minutes: 30 });
    expect(rowOf(await loveCards(`categoryId=${cats.loving_care!.id}`), 'loving_care').minutes).toBe(40);
    expect((await loveCards(`categoryId=${cats.loving_care!.id}`)).rows).toHaveLength(1);
  });

  test('as CSV: a claims column of "name (claimedOn)" and the four figures', async () => {
    const res = await call(t.app, tenant.reporterKey, 'GET', `/v1/reports/love-cards?communityId=${tenant.community.id}`, undefined, { accept: 'text/csv' });
    const { header, records } = csvOf(res);
    expect(header).toEqual(['communityId', 'categoryId', 'code', 'name', 'claims', 'minutes', 'hours', 'entries', 'volunteers']);
    expect(records).toContainEqual([tenant.community.id, cats.home_repair!.id, 'home_repair', '家政维修', '乙单位 (2026-01-03); 甲单位 (2026-01-05)', '90', '1.5', '2', '1']);
    expect(records).toHaveLength(Object.keys(cats).length);
  });
});
