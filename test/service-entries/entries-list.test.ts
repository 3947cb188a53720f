import { createOrganization, createLedgerTenant, registerMember } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { act, at, daysAgo, ENTRIES, entryBody, fieldsOf, recorded, type Entry } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/**
 * One community with two organizations, two volunteers and two categories, and entries spread
 * over three days in every status; plus another community with one entry, which no filter of
 * the first may ever show.
 */
async function spreadLedger() {
  const l = await createLedgerTenant(t.app, t.adminKey);
  const second = await createOrganization(t.app, t.adminKey, l.community.id);
  const other = await registerMember(t.app, l.communityAdminKey, l.community.id, second.id);
  const { environment_health: env, home_repair: repair } = l.categoryByCode;
  const specs: [string, string, string | undefined, string][] = [
    // volunteer, organization, category, servedOn
    [l.volunteer.id, l.organization.id, env, '2026-03-01'],
    [l.volunteer.id, l.organization.id, repair, '2026-03-02'],
    [other.id, second.id, env, '2026-03-02'],
    [other.id, second.id, repair, '2026-03-03'],
    [l.volunteer.id, l.organization.id, env, '2026-03-03'],
  ];
  const entries: Entry[] = [];
  for (const [volunteerId, organizationId, categoryId, servedOn] of specs) {
    entries.push(await recorded(t.app, l.communityAdminKey, entryBody(l, { volunteerId, organizationId, categoryId, servedOn, minutes: 30 })));
  }
  await act(t.app, l.communityAdminKey, entries[1]!.id, 'approve');
  await act(t.app, l.communityAdminKey, entries[2]!.id, 'reject');
  await act(t.app, l.communityAdminKey, entries[3]!.id, 'approve');
  await act(t.app, l.communityAdminKey, entries[3]!.id, 'void');
  const elsewhere = await createLedgerTenant(t.app, t.adminKey);
  await recorded(t.app, elsewhere.coordinatorKey, entryBody(elsewhere, { servedOn: '2026-03-02' }));
  return { l, second, other, entries, ids: entries.map((e) => e.id as string) };
}

const listIds = async (key: string, query: string): Promise<string[]> => {
  const res = await call(t.app, key, 'GET', `${ENTRIES}?${query}`);
  expect(res.statusCode).toBe(200);
  return res.json().data.map((e: { id: string }) => e.id);
};

describe('GET /v1/service-entries › filters', () => {
  test('each filter, and filters combined, return exactly the matching entries in creation order', async () => {
    const { l, second, other, ids } = await spreadLedger();
    const c = `communityId=${l.community.id}`;
    const [e0, e1, e2, e3, e4] = ids;
    expect(await listIds(t.adminKey, c)).toEqual(ids);
    expect(await listIds(t.adminKey, `${c}&organizationId=${second.id}`)).toEqual([e2, e3]);
    expect(await listIds(t.adminKey, `${c}&volunteerId=${l.volunteer.id}`)).toEqual([e0, e1, e4]);
    expect(await listIds(t.adminKey, `${c}&categoryId=${l.categoryByCode.home_repair}`)).toEqual([e1, e3]);
    expect(await listIds(t.adminKey, `${c}&status=pending`)).toEqual([e0, e4]);
    expect(await listIds(t.adminKey, `${c}&status=approved`)).toEqual([e1]);
    expect(await listIds(t.adminKey, `${c}&status=rejected`)).toEqual([e2]);
    expect(await listIds(t.adminKey, `${c}&status=voided`)).toEqual([e3]);
    expect(await listIds(t.adminKey, `${c}&from=2026-03-02`)).toEqual([e1, e2, e3, e4]);
    expect(await listIds(t.adminKey, `${c}&to=2026-03-02`)).toEqual([e0, e1, e2]);
    expect(await listIds(t.adminKey, `${c}&from=2026-03-02&to=2026-03-02`)).toEqual([e1, e2]);
    expect(await listIds(t.adminKey, `${c}&volunteerId=${other.id}&status=voided&from=2026-03-03`)).toEqual([e3]);
    expect(await listIds(t.adminKey, `${c}&from=2026-03-04`)).toEqual([]);
  });

  test('updatedSince returns the entries changed at or after that instant', async () => {
    const { l, ids } = await spreadLedger();
    const c = `communityId=${l.community.id}`;
    const all = (await call(t.app, t.adminKey, 'GET', `${ENTRIES}?${c}`)).json().data as Entry[];
    const latest = all.reduce((max, e) => (Date.parse(e.updatedAt) > max ? Date.parse(e.updatedAt) : max), 0);
    await new Promise((resolve) => setTimeout(resolve, 5)); // so the change lands in a later millisecond than `latest`
    const touched = await act(t.app, l.communityAdminKey, ids[4]!, 'approve');
    expect(touched.statusCode).toBe(200);
    const since = new Date(latest + 1).toISOString();
    const changed = await listIds(t.adminKey, `${c}&updatedSince=${encodeURIComponent(since)}`);
    expect(changed).toContain(ids[4]);
    for (const id of changed) {
      const entry = (await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${id}`)).json();
      expect(Date.parse(entry.updatedAt)).toBeGreaterThanOrEqual(Date.parse(since));
    }
    expect(await listIds(t.adminKey, `${c}&updatedSince=2000-01-01T00:00:00Z`)).toEqual(ids);
  });

  test.each([
    ['status=done', 'status'], ['from=2026-02-30', 'from'], ['from=0000-01-01', 'from'], ['to=yesterday', 'to'], ['updatedSince=2026-03-01', 'updatedSince'],
    ['volunteerId=42', 'volunteerId'], ['limit=0', 'limit'], ['limit=501', 'limit'], ['colour=red', 'colour'],
  ])('?%s answers 400 naming %s', async (query, field) => {
    const res = await call(t.app, t.adminKey, 'GET', `${ENTRIES}?${query}`);
    expectProblem(res, 400, 'invalid_parameter');
    expect(fieldsOf(res)).toEqual([field]);
  });
});

describe('GET /v1/service-entries › cursor pagination', () => {
  test('pages of 2 walk every entry once, in order, and the last page has nextCursor null', async () => {
    const { l, ids } = await spreadLedger();
    const pages = await collectPages(t.app, l.communityAdminKey, `${ENTRIES}?communityId=${l.community.id}&limit=2`);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual(ids);
    const firstPage = (await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}?communityId=${l.community.id}&limit=5`)).json();
    expect(firstPage.nextCursor).toBeNull();
  });

  test('the cursor keeps the filters it is used with', async () => {
    const { l, ids } = await spreadLedger();
    const pages = await collectPages(t.app, t.adminKey, `${ENTRIES}?communityId=${l.community.id}&volunteerId=${l.volunteer.id}&limit=1`);
    expect(pages.flat().map((e) => e.id)).toEqual([ids[0], ids[1], ids[4]]);
  });

  test('a cursor this API did not issue answers 400 invalid_cursor', async () => {
    const res = await call(t.app, t.adminKey, 'GET', `${ENTRIES}?cursor=${Buffer.from('not-an-id').toString('base64url')}`);
    expectProblem(res, 400, 'invalid_cursor');
  });
});

describe('GET /v1/service-entries/:id', () => {
  test('returns the entry as listed, and a path id that is not a UUID answers 400', async () => {
    const { l, entries } = await spreadLedger();
    const listed = (await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}?status=voided&communityId=${l.community.id}`)).json().data;
    expect(listed).toEqual([]); // the voided entry belongs to the second organization, not the coordinator's
    const got = await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}/${entries[3]!.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: entries[3]!.id, status: 'voided' });
    expectProblem(await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}/42`), 400, 'invalid_parameter');
  });
});

describe('GET /v1/service-entries › the page written from the rows', () => {
  test('every listed entry is, byte for byte, what GET /v1/service-entries/:id answers for it, in every status', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const servedOn = daysAgo(3);
    const timed = await recorded(t.app, l.communityAdminKey, entryBody(l, {
      servedOn, minutes: 90, startedAt: at(servedOn, '09:00'), endedAt: at(servedOn, '10:30'),
      location: '幸福里 3 号楼 "东门"', description: 'tab\there, a backslash \\ and 换行\n',
    }));
    const approved = await recorded(t.app, l.communityAdminKey, entryBody(l, { servedOn, minutes: 15 }));
    const rejected = await recorded(t.app, l.communityAdminKey, entryBody(l, { servedOn, minutes: 20 }));
    const voided = await recorded(t.app, l.communityAdminKey, entryBody(l, { servedOn, minutes: 25 }));
    await act(t.app, l.communityAdminKey, approved.id, 'approve');
    await act(t.app, l.communityAdminKey, rejected.id, 'reject', '记录有误 "重复"');
    await act(t.app, l.communityAdminKey, voided.id, 'approve');
    await act(t.app, l.communityAdminKey, voided.id, 'void');

    const res = await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}?communityId=${l.community.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const listed = res.json().data as Entry[];
    expect(listed.map((e) => e.status)).toEqual(['pending', 'approved', 'rejected', 'voided']);
    for (const [index, entry] of [timed, approved, rejected, voided].entries()) {
      const got = await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}/${entry.id}`);
      expect(JSON.stringify(listed[index])).toBe(JSON.stringify(got.json()));
    }
    // A page of changes is read by a statement of its own, and written alike.
    const changes = await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}?communityId=${l.community.id}&updatedSince=2000-01-01T00:00:00Z`);
    expect(JSON.stringify(changes.json().data)).toBe(JSON.stringify(listed));
    expect(listed[0]).toMatchObject({ startedAt: new Date(at(servedOn, '09:00')).toISOString(), location: '幸福里 3 号楼 "东门"' });
    expect(JSON.stringify(listed[0])).toBe(JSON.stringify(timed));
  });

  test('an empty page is {"data":[],"nextCursor":null}', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}?communityId=${l.community.id}`);
    expect(res.body).toBe('{"data":[],"nextCursor":null}');
  });
});

