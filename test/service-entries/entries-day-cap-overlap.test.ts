import { createLedgerTenant, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { act, at, countedByDay, countEntries, dayMinutesRows, daysAgo, ENTRIES, entryBody, fieldsOf, listAll, record, recorded } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('POST /v1/service-entries › one volunteer-day holds at most 1440 pending and approved minutes', () => {
  test('accepts 800 + 640 (exactly 1440) and rejects one more minute with 422 naming minutes', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 800 }));
    const approved = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 640 }));
    expect((await act(t.app, l.coordinatorKey, approved.id, 'approve')).statusCode).toBe(200);
    const over = await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1 }));
    expectProblem(over, 422, 'rule_violated');
    expect(fieldsOf(over)).toEqual(['minutes']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('counts each day apart: the same volunteer may serve 1440 minutes on two different days', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440, servedOn: daysAgo(4) }));
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440, servedOn: daysAgo(5) }))).statusCode).toBe(201);
  });

  test('counts each volunteer apart: another volunteer may serve 1440 minutes on the same day', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440 }));
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440, volunteerId: other.id }))).statusCode).toBe(201);
  });

  test('a rejected entry frees its minutes for the day', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const first = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 800 }));
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 800 }))).statusCode).toBe(422);
    expect((await act(t.app, l.coordinatorKey, first.id, 'reject', 'wrong day')).statusCode).toBe(200);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 800 }))).statusCode).toBe(201);
  });

  test('a voided entry frees its minutes for the day', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const first = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440 }));
    await act(t.app, l.coordinatorKey, first.id, 'approve');
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1 }))).statusCode).toBe(422);
    expect((await act(t.app, l.coordinatorKey, first.id, 'void', 'recorded twice')).statusCode).toBe(200);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 1440 }))).statusCode).toBe(201);
  });

  test('under concurrency: two parallel POSTs of 800 minutes for one volunteer-day give exactly one 201 and one 422', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l, { minutes: 800 });
    const answers = await Promise.all([record(t.app, l.coordinatorKey, body), record(t.app, l.communityAdminKey, body)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    const refused = answers.find((r) => r.statusCode === 422)!;
    expectProblem(refused, 422, 'rule_violated');
    expect(fieldsOf(refused)).toEqual(['minutes']);
    const stored = await listAll(t.app, l.communityAdminKey, `communityId=${l.community.id}`);
    expect(stored).toHaveLength(1);
    expect((await dayMinutesRows(t.app, l.community.id)).get(`${l.volunteer.id}|${body.servedOn}`)).toBe(800);
  });

  test('under concurrency: ten parallel POSTs of 300 minutes store at most 1440 minutes, and the day row agrees', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l, { minutes: 300 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => record(t.app, l.coordinatorKey, body)));
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(4);
    expect(answers.filter((r) => r.statusCode === 422)).toHaveLength(6);
    const stored = await listAll(t.app, l.communityAdminKey, `communityId=${l.community.id}`);
    const key = `${l.volunteer.id}|${body.servedOn}`;
    expect(countedByDay(stored).get(key)).toBe(1200);
    expect((await dayMinutesRows(t.app, l.community.id)).get(key)).toBe(1200);
  });
});

describe('POST /v1/service-entries › timed entries of one volunteer never overlap', () => {
  const timed = (servedOn: string, from: string, to: string, minutes: number) => ({ servedOn, minutes, startedAt: at(servedOn, from), endedAt: at(servedOn, to) });

  test('rejects an overlap with a pending entry with 422 naming startedAt; touching end-to-start is fine', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const day = daysAgo(2);
    await recorded(t.app, l.coordinatorKey, entryBody(l, timed(day, '09:00', '11:00', 120)));
    const overlap = await record(t.app, l.coordinatorKey, entryBody(l, timed(day, '10:30', '11:30', 60)));
    expectProblem(overlap, 422, 'rule_violated');
    expect(fieldsOf(overlap)).toEqual(['startedAt']);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, timed(day, '11:00', '12:00', 60)))).statusCode).toBe(201);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('rejects an overlap with an approved entry, including one that lies wholly inside it', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const day = daysAgo(2);
    const first = await recorded(t.app, l.coordinatorKey, entryBody(l, timed(day, '08:00', '12:00', 240)));
    await act(t.app, l.coordinatorKey, first.id, 'approve');
    const inside = await record(t.app, l.coordinatorKey, entryBody(l, timed(day, '09:00', '10:00', 60)));
    expectProblem(inside, 422, 'rule_violated');
    expect(fieldsOf(inside)).toEqual(['startedAt']);
  });

  test('after the first entry is rejected (or voided), the same times are accepted', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const day = daysAgo(2);
    const slot = timed(day, '09:00', '10:00', 60);
    const first = await recorded(t.app, l.coordinatorKey, entryBody(l, slot));
    expect((await record(t.app, l.coordinatorKey, entryBody(l, slot))).statusCode).toBe(422);
    await act(t.app, l.coordinatorKey, first.id, 'reject', 'wrong volunteer');
    const second = await recorded(t.app, l.coordinatorKey, entryBody(l, slot));
    await act(t.app, l.coordinatorKey, second.id, 'approve');
    expect((await record(t.app, l.coordinatorKey, entryBody(l, slot))).statusCode).toBe(422);
    await act(t.app, l.coordinatorKey, second.id, 'void', 'typo in the times');
    expect((await record(t.app, l.coordinatorKey, entryBody(l, slot))).statusCode).toBe(201);
  });

  test('different volunteers may serve at the same time, and untimed entries never overlap', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
    const day = daysAgo(2);
    const slot = timed(day, '09:00', '10:00', 60);
    await recorded(t.app, l.coordinatorKey, entryBody(l, slot));
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { ...slot, volunteerId: other.id }))).statusCode).toBe(201);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { servedOn: day, minutes: 60 }))).statusCode).toBe(201);
  });

  test('under concurrency: parallel POSTs of the same times store one entry', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l, timed(daysAgo(2), '14:00', '15:00', 60));
    const answers = await Promise.all(Array.from({ length: 4 }, () => record(t.app, l.coordinatorKey, body)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 422, 422, 422]);
    for (const refused of answers.filter((r) => r.statusCode === 422)) {
      expectProblem(refused, 422, 'rule_violated');
      expect(fieldsOf(refused)).toEqual(['startedAt']);
    }
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });
});

describe('The ledger never deletes', () => {
  test('rejected and voided entries stay listed and readable with who, when and why', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const rejected = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 30 }));
    const voided = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 45 }));
    await act(t.app, l.coordinatorKey, rejected.id, 'reject', 'not our volunteer');
    await act(t.app, l.coordinatorKey, voided.id, 'approve');
    await act(t.app, l.communityAdminKey, voided.id, 'void', 'entered twice');
    const listed = await listAll(t.app, l.communityAdminKey, `communityId=${l.community.id}`);
    expect(listed.map((e) => [e.id, e.status])).toEqual([[rejected.id, 'rejected'], [voided.id, 'voided']]);
    const r = (await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${rejected.id}`)).json();
    expect(r).toMatchObject({ status: 'rejected', rejectionReason: 'not our volunteer', rejectedByKeyId: expect.any(String), rejectedAt: expect.any(String) });
    const v = (await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${voided.id}`)).json();
    expect(v).toMatchObject({ status: 'voided', voidReason: 'entered twice', voidedByKeyId: expect.any(String), voidedAt: expect.any(String), minutes: 45 });
  });

  test('DELETE is not an endpoint of the ledger', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l));
    const res = await call(t.app, t.adminKey, 'DELETE', `${ENTRIES}/${entry.id}`);
    expect([404, 405]).toContain(res.statusCode);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${entry.id}`)).statusCode).toBe(200);
  });
});
