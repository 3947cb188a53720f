import { createCommunity, createLedgerTenant, createOrganization, createKey, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { at, countEntries, daysAgo, ENTRIES, entryBody, fieldsOf, record } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('POST /v1/service-entries › recording', () => {
  test('stores a pending entry with every field, a Location header, and GET returns the same entry', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const activityId = '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f79';
    const body = entryBody(l, { minutes: 120, activityId, location: '3号院', description: '小区环境整治' });
    const res = await record(t.app, l.coordinatorKey, body);
    expect(res.statusCode).toBe(201);
    const entry = res.json();
    expect(entry).toMatchObject({ ...body, communityId: l.community.id, status: 'pending', source: 'coordinator', startedAt: null, endedAt: null });
    expect(res.headers.location).toBe(`${ENTRIES}/${entry.id}`);
    const got = await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(entry);
  });

  test('answers the entry exactly as stored: uppercase UUIDs, times with an offset and sub-millisecond digits, a lone surrogate, arriving approved', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    const servedOn = daysAgo(2);
    const body = entryBody(l, {
      servedOn, minutes: 45, startedAt: `${servedOn}T09:15:00.9999996+08:00`, endedAt: `${servedOn}T10:00:00.9999996+08:00`,
      activityId: '0192F0C4-5A6E-7D3B-9C1A-2B3C4D5E6F79', description: 'broken \ud800 text',
    });
    const upper = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k.endsWith('Id') ? String(v).toUpperCase() : v]));
    const res = await record(t.app, l.coordinatorKey, upper);
    expect(res.statusCode).toBe(201);
    const entry = res.json();
    expect(entry).toMatchObject({ volunteerId: l.volunteer.id, organizationId: l.organization.id, activityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f79', status: 'approved' });
    const got = await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${entry.id}`);
    expect(JSON.stringify(entry)).toBe(JSON.stringify(got.json()));
  });

  test('activityId, location and description are optional and stored as null', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ activityId: null, location: null, description: null });
  });

  test.each([1, 1440])('accepts %i minutes, the edges of the range', async (minutes) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { minutes }));
    expect(res.statusCode).toBe(201);
    expect(res.json().minutes).toBe(minutes);
  });

  test.each([
    ['0', 0], ['1441', 1441], ['1.5', 1.5], ['the string "60"', '60'], ['null', null], ['-5', -5],
  ])('rejects %s minutes with 422 naming minutes, and stores nothing', async (_label, minutes) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { minutes }));
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['minutes']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('rejects a body missing every required field with 422 naming each of them', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, {});
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['categoryId', 'minutes', 'organizationId', 'servedOn', 'volunteerId']);
  });
});

describe('POST /v1/service-entries › servedOn', () => {
  test('accepts today in the community\'s time zone', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { servedOn: daysAgo(0) }))).statusCode).toBe(201);
  });

  test('rejects tomorrow with 422 naming servedOn', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn: daysAgo(-1) }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['servedOn']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('judges "the future" in the community\'s time zone: today on Kiritimati (UTC+14) is still to come in Pago Pago (UTC-11)', async () => {
    const early = await createCommunity(t.app, t.adminKey, { timezone: 'Pacific/Kiritimati' });
    const late = await createCommunity(t.app, t.adminKey, { timezone: 'Pacific/Pago_Pago' });
    const kiritimatiToday = daysAgo(0, 'Pacific/Kiritimati');
    for (const [community, expected] of [[early, 201], [late, 422]] as const) {
      const organization = await createOrganization(t.app, t.adminKey, community.id);
      const admin = await createKey(t.app, t.adminKey, { role: 'community_admin', communityId: community.id });
      const volunteer = await registerMember(t.app, admin, community.id, organization.id);
      const categories = (await call(t.app, admin, 'GET', `/v1/service-categories?communityId=${community.id}&limit=100`)).json().data;
      const res = await record(t.app, admin, { volunteerId: volunteer.id, organizationId: organization.id, categoryId: categories[0].id, servedOn: kiritimatiToday, minutes: 30 });
      expect(res.statusCode).toBe(expected);
    }
  });

  test.each(['2026-02-30', '2025-13-01', '2025-04-31', '14/03/2026', '2026-3-14', '0000-01-01'])('rejects the impossible date %s with a 4xx naming servedOn', async (servedOn) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn }));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(fieldsOf(res)).toEqual(['servedOn']);
  });
});

describe('POST /v1/service-entries › startedAt and endedAt', () => {
  test('accepts times on servedOn in Asia/Shanghai that span exactly `minutes`', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 90, startedAt: at(servedOn, '09:00'), endedAt: at(servedOn, '10:30') }));
    expect(res.statusCode).toBe(201);
    expect(Date.parse(res.json().startedAt)).toBe(Date.parse(at(servedOn, '09:00')));
    expect(Date.parse(res.json().endedAt)).toBe(Date.parse(at(servedOn, '10:30')));
  });

  test('accepts an entry that ends exactly at midnight', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 60, startedAt: at(servedOn, '23:00'), endedAt: at(daysAgo(1), '00:00') }));
    expect(res.statusCode).toBe(201);
  });

  test.each([['startedAt only', 'startedAt', 'endedAt'], ['endedAt only', 'endedAt', 'startedAt']])('rejects %s with 422: both or neither', async (_label, given, missing) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, [given]: at(servedOn, '09:00') }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual([missing]);
  });

  test('rejects times that do not span `minutes` with 422 naming minutes', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 60, startedAt: at(servedOn, '09:00'), endedAt: at(servedOn, '10:30') }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['minutes']);
  });

  test('rejects endedAt before startedAt with 422 naming endedAt', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, startedAt: at(servedOn, '10:00'), endedAt: at(servedOn, '09:00') }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['endedAt']);
  });

  test('rejects times on the previous day in Asia/Shanghai (though the same UTC date) with 422', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    // 23:00–23:30 UTC of the day before servedOn is 07:00–07:30 on servedOn in Shanghai: accepted…
    const ok = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 30, startedAt: at(daysAgo(3), '23:00', 'Z'), endedAt: at(daysAgo(3), '23:30', 'Z') }));
    expect(ok.statusCode).toBe(201);
    // …while 15:00–15:30 UTC of servedOn is already the next day in Shanghai.
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 30, startedAt: at(servedOn, '17:00', 'Z'), endedAt: at(servedOn, '17:30', 'Z') }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['endedAt', 'startedAt']);
  });

  test('uses the community\'s time zone: America/New_York accepts an evening that is the next day in Shanghai', async () => {
    const community = await createCommunity(t.app, t.adminKey, { timezone: 'America/New_York' });
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const admin = await createKey(t.app, t.adminKey, { role: 'community_admin', communityId: community.id });
    const volunteer = await registerMember(t.app, admin, community.id, organization.id);
    const categories = (await call(t.app, admin, 'GET', `/v1/service-categories?communityId=${community.id}&limit=100`)).json().data;
    const servedOn = daysAgo(3, 'America/New_York');
    const base = { volunteerId: volunteer.id, organizationId: organization.id, categoryId: categories[0].id, servedOn, minutes: 60 };
    const evening = await record(t.app, admin, { ...base, startedAt: at(servedOn, '22:00', '-05:00'), endedAt: at(servedOn, '23:00', '-05:00') });
    expect(evening.statusCode).toBe(201);
    const shanghaiMorning = await record(t.app, admin, { ...base, startedAt: at(servedOn, '08:00'), endedAt: at(servedOn, '09:00') });
    expectProblem(shanghaiMorning, 422, 'rule_violated');
    expect(fieldsOf(shanghaiMorning)).toEqual(['endedAt', 'startedAt']);
  });

  test('rejects an instant without an offset with 422 naming startedAt', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, startedAt: `${servedOn}T09:00:00`, endedAt: at(servedOn, '10:00') }));
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['startedAt']);
  });
});

describe('POST /v1/service-entries › source', () => {
  test.each(['coordinator', 'self_report', 'check_in', 'import'])('accepts source %s and stores it', async (source) => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { source }));
    expect(res.statusCode).toBe(201);
    expect(res.json().source).toBe(source);
  });

  test('rejects an unknown source with 422 naming source', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { source: 'rumour' }));
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['source']);
  });
});
