import { createLedgerTenant, createVolunteer, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type Response, type TestApp } from '../helpers/test-app.js';
import { at, BATCH, countEntries, daysAgo, entryBody, listAll, recorded, statementsOf } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const batch = (key: string, entries: unknown[]): Promise<Response> => call(t.app, key, 'POST', BATCH, { entries });
/** `[index, field]` of every error, sorted. */
const itemErrors = (res: Response): [number, string][] =>
  (res.json().errors as { index: number; field: string }[]).map((e) => [e.index, e.field] as [number, string]).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));

describe('POST /v1/service-entries/batch', () => {
  test('records 1,000 entries at once, in order, with source import unless told otherwise', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entries = Array.from({ length: 1000 }, (_, i) => entryBody(l, { minutes: 1, description: `item ${i}`, ...(i === 7 ? { source: 'check_in' } : {}) }));
    const res = await batch(l.coordinatorKey, entries);
    expect(res.statusCode).toBe(201);
    const data = res.json().data as { description: string; source: string; status: string }[];
    expect(data).toHaveLength(1000);
    expect(data.map((e) => e.description)).toEqual(entries.map((e) => e.description));
    expect(data.filter((e) => e.source === 'import')).toHaveLength(999);
    expect(data[7]!.source).toBe('check_in');
    expect(new Set(data.map((e) => e.status))).toEqual(new Set(['pending']));
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1000);
  });

  test('each stored item is answered byte for byte as GET /v1/service-entries/:id shows it, timed or not, pending or approved', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const entries = [
      entryBody(l, { servedOn, minutes: 60, startedAt: at(servedOn, '08:00'), endedAt: at(servedOn, '09:00'), location: '活动室 "A"', description: 'line\nbreak' }),
      entryBody(l, { servedOn, minutes: 5, source: 'self_report' }),
    ];
    const res = await batch(l.communityAdminKey, entries);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const data = res.json().data as Record<string, unknown>[];
    for (const item of data) {
      const got = await call(t.app, l.communityAdminKey, 'GET', `/v1/service-entries/${item.id as string}`);
      expect(JSON.stringify(item)).toBe(JSON.stringify(got.json()));
    }
    expect(data.map((e) => e.source)).toEqual(['import', 'self_report']);
  });

  test('on node-postgres the rows go as binary arrays, on embedded PGlite as JSON, and are stored alike', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(2);
    const entries = [
      entryBody(l, { servedOn, minutes: 90, startedAt: at(servedOn, '13:15'), endedAt: at(servedOn, '14:45'), location: '社区服务站 ☕ “二楼”', description: 'lone \ud800 surrogate', activityId: '0192F0A1-B2C3-7D4E-8F00-112233445566' }),
      entryBody(l, { servedOn: '1999-12-31', minutes: 1440, source: 'check_in' }),
    ];
    let res: Response | undefined;
    const statements = await statementsOf(t.app, async () => { res = await batch(l.communityAdminKey, entries); });
    expect(statements).toContain(t.app.database.kind === 'postgres' ? 'entries_insert_binary' : 'entries_insert');
    expect(res!.statusCode).toBe(201);
    const data = res!.json().data as Record<string, unknown>[];
    expect(data[0]).toMatchObject({
      minutes: 90, startedAt: new Date(at(servedOn, '13:15')).toISOString(), endedAt: new Date(at(servedOn, '14:45')).toISOString(),
      location: '社区服务站 ☕ “二楼”', description: 'lone \ufffd surrogate', activityId: '0192f0a1-b2c3-7d4e-8f00-112233445566',
    });
    expect(data[1]).toMatchObject({ servedOn: '1999-12-31', minutes: 1440, source: 'check_in', startedAt: null, location: null, activityId: null });
    for (const item of data) {
      const got = await call(t.app, l.communityAdminKey, 'GET', `/v1/service-entries/${item.id as string}`);
      expect(JSON.stringify(item)).toBe(JSON.stringify(got.json()));
    }
  });

  test('rejects 1,001 entries with 422 naming entries, and stores nothing', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await batch(l.coordinatorKey, Array.from({ length: 1001 }, () => entryBody(l, { minutes: 1 })));
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['entries']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('rejects an empty batch with 422 naming entries', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await batch(l.coordinatorKey, []);
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['entries']);
  });

  test('names every malformed item by index and field, e.g. entries[3].minutes, and stores nothing', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entries = [entryBody(l), entryBody(l), entryBody(l, { servedOn: '2026-02-30' }), entryBody(l, { minutes: 1441 }), entryBody(l, { colour: 'red' })];
    const res = await batch(l.coordinatorKey, entries);
    expectProblem(res, 422, 'validation_failed');
    expect(itemErrors(res)).toEqual([[2, 'entries[2].servedOn'], [3, 'entries[3].minutes'], [4, 'entries[4].colour']]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('all or nothing: one item breaking a rule refuses the whole batch, naming only that item', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entries = [entryBody(l, { servedOn: daysAgo(4) }), entryBody(l, { servedOn: daysAgo(5) }), entryBody(l, { servedOn: daysAgo(6) }), entryBody(l, { servedOn: daysAgo(-1) })];
    const res = await batch(l.coordinatorKey, entries);
    expectProblem(res, 422, 'rule_violated');
    expect(itemErrors(res)).toEqual([[3, 'entries[3].servedOn']]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('names every item that breaks a rule in one answer', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await createLedgerTenant(t.app, t.adminKey);
    const stranger = await createVolunteer(t.app, l.communityAdminKey, l.community.id);
    const retired = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
    await call(t.app, l.communityAdminKey, 'PATCH', `/v1/volunteers/${retired.id}`, { status: 'inactive' });
    const entries = [
      entryBody(l),
      entryBody(l, { volunteerId: stranger.id }),
      entryBody(l, { volunteerId: retired.id }),
      entryBody(l, { categoryId: other.categoryByCode.home_repair }),
      entryBody(l, { organizationId: other.organization.id }),
      entryBody(l, { volunteerId: other.volunteer.id }),
    ];
    const res = await batch(l.coordinatorKey, entries);
    expectProblem(res, 422, 'rule_violated');
    expect(itemErrors(res)).toEqual([
      [1, 'entries[1].volunteerId'], [2, 'entries[2].volunteerId'], [3, 'entries[3].categoryId'],
      [4, 'entries[4].organizationId'], [5, 'entries[5].volunteerId'],
    ]);
    expect(await countEntries(t.app, t.adminKey, l.community.id)).toBe(0);
  });

  test('the day cap counts across items of the same batch, and together with the ledger', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const day = daysAgo(4);
    const overTogether = await batch(l.coordinatorKey, [entryBody(l, { servedOn: day, minutes: 800 }), entryBody(l, { servedOn: daysAgo(5), minutes: 800 }), entryBody(l, { servedOn: day, minutes: 800 })]);
    expectProblem(overTogether, 422, 'rule_violated');
    expect(itemErrors(overTogether)).toEqual([[0, 'entries[0].minutes'], [2, 'entries[2].minutes']]);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { servedOn: day, minutes: 1000 }));
    const overWithLedger = await batch(l.coordinatorKey, [entryBody(l, { servedOn: day, minutes: 200 }), entryBody(l, { servedOn: day, minutes: 241 })]);
    expect(itemErrors(overWithLedger)).toEqual([[0, 'entries[0].minutes'], [1, 'entries[1].minutes']]);
    const fits = await batch(l.coordinatorKey, [entryBody(l, { servedOn: day, minutes: 200 }), entryBody(l, { servedOn: day, minutes: 240 })]);
    expect(fits.statusCode).toBe(201);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(3);
  });

  test('timed items of one volunteer may not overlap each other, even when a shorter item lies between', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const day = daysAgo(4);
    const timed = (from: string, to: string, minutes: number, extra: Record<string, unknown> = {}) =>
      entryBody(l, { servedOn: day, minutes, startedAt: at(day, from), endedAt: at(day, to), ...extra });
    const res = await batch(l.coordinatorKey, [timed('09:00', '12:00', 180), timed('10:00', '10:30', 30), timed('11:00', '11:30', 30), timed('12:00', '13:00', 60)]);
    expectProblem(res, 422, 'rule_violated');
    expect(itemErrors(res)).toEqual([[1, 'entries[1].startedAt'], [2, 'entries[2].startedAt']]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
    const other = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
    const apart = await batch(l.coordinatorKey, [timed('09:00', '12:00', 180), timed('10:00', '10:30', 30, { volunteerId: other.id }), timed('12:00', '13:00', 60)]);
    expect(apart.statusCode).toBe(201);
  });

  test('a timed item overlapping an entry already in the ledger is named', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const day = daysAgo(4);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { servedOn: day, minutes: 60, startedAt: at(day, '08:00'), endedAt: at(day, '09:00') }));
    const res = await batch(l.coordinatorKey, [
      entryBody(l, { servedOn: day, minutes: 60, startedAt: at(day, '10:00'), endedAt: at(day, '11:00') }),
      entryBody(l, { servedOn: day, minutes: 60, startedAt: at(day, '08:30'), endedAt: at(day, '09:30') }),
    ]);
    expectProblem(res, 422, 'rule_violated');
    expect(itemErrors(res)).toEqual([[1, 'entries[1].startedAt']]);
    expect((await listAll(t.app, l.communityAdminKey, `communityId=${l.community.id}`)).length).toBe(1);
  });
});
