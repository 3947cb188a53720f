import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/raw.js';
import { fingerprintOf } from '../../src/modules/idempotency/idempotency.js';
import { recordKnown } from '../../src/modules/service-entries/entry-one-statement.js';
import { createKeyWithId, createLedgerTenant, createVolunteer } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { at, countEntries, dayMinutesRows, daysAgo, ENTRIES, entryBody, fieldsOf, record, recorded, statementsOf, type Ledger } from './support.js';

/*
 * Once the service has read an entry's volunteer, organization, category and membership, the next
 * entry naming them is checked against what it read and written in one statement that confirms
 * those facts as it writes (src/modules/service-entries/entry-one-statement.ts). These tests warm
 * that knowledge with a first entry, then hold the second to everything the long way guarantees.
 */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const withKey = (key: string) => ({ 'idempotency-key': key });

/** A tenant whose references the service has read once (the first entry, a day apart from the tests' own). */
async function warmLedger(): Promise<Ledger> {
  const l = await createLedgerTenant(t.app, t.adminKey);
  await recorded(t.app, l.coordinatorKey, entryBody(l, { servedOn: daysAgo(10), minutes: 5 }));
  return l;
}

describe('POST /v1/service-entries › an entry whose references are known', () => {
  test('is recorded in one statement, answers as GET does, and its key replays that answer', async () => {
    const l = await warmLedger();
    const body = entryBody(l, { description: '社区巡逻' });
    let res: Awaited<ReturnType<typeof record>> | undefined;
    expect(await statementsOf(t.app, async () => { res = await record(t.app, l.coordinatorKey, body, withKey('one-statement')); })).toEqual(['entries_record_known']);
    expect(res!.statusCode).toBe(201);
    const got = await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${res!.json().id}`);
    expect(res!.body).toBe(got.body);
    const replay = await record(t.app, l.coordinatorKey, body, withKey('one-statement'));
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(res!.body);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('without a key as well', async () => {
    const l = await warmLedger();
    expect(await statementsOf(t.app, async () => { expect((await record(t.app, l.coordinatorKey, entryBody(l))).statusCode).toBe(201); })).toEqual(['entries_record_known']);
  });

  test('recorded by a community admin for a volunteer of no organization, is recorded in one statement too', async () => {
    const l = await warmLedger();
    const outsider = await createVolunteer(t.app, l.communityAdminKey, l.community.id);
    await recorded(t.app, l.communityAdminKey, entryBody(l, { volunteerId: outsider.id, servedOn: daysAgo(10) }));
    let res: Awaited<ReturnType<typeof record>> | undefined;
    expect(await statementsOf(t.app, async () => { res = await record(t.app, l.communityAdminKey, entryBody(l, { volunteerId: outsider.id })); })).toEqual(['entries_record_known']);
    expect(res!.statusCode).toBe(201);
    // A coordinator may not: the same volunteer is no member of its organization.
    expect(fieldsOf(await record(t.app, l.coordinatorKey, entryBody(l, { volunteerId: outsider.id, minutes: 5 })))).toEqual(['volunteerId']);
  });

  // Each change happens after the service read the facts; the next entry must see the database's truth.
  test.each([
    ['the volunteer is no longer active', (l: Ledger) => call(t.app, l.communityAdminKey, 'PATCH', `/v1/volunteers/${l.volunteer.id}`, { status: 'inactive' }), 'volunteerId'],
    ['the organization was archived', (l: Ledger) => call(t.app, l.communityAdminKey, 'POST', `/v1/organizations/${l.organization.id}/archive`), 'organizationId'],
    ['the volunteer left the organization', (l: Ledger) => call(t.app, l.communityAdminKey, 'DELETE', `/v1/organizations/${l.organization.id}/members/${l.volunteer.id}`), 'volunteerId'],
  ] as const)('when %s, is refused as the long way refuses it, and nothing is stored', async (_, change, field) => {
    const l = await warmLedger();
    expect((await change(l)).statusCode).toBeLessThan(300);
    const res = await record(t.app, l.coordinatorKey, entryBody(l), withKey('stale'));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual([field]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
    // The refusal is the key's answer now, as on the long way.
    expect((await record(t.app, l.coordinatorKey, entryBody(l), withKey('stale'))).headers['idempotent-replayed']).toBe('true');
  });

  test('when the organization switched to approvalPolicy auto, arrives approved and counts in the rollups', async () => {
    const l = await warmLedger();
    expect((await call(t.app, l.communityAdminKey, 'PATCH', `/v1/organizations/${l.organization.id}`, { approvalPolicy: 'auto' })).statusCode).toBe(200);
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 45 }));
    expect(entry.status).toBe('approved');
    const [rollup] = await queryRows<{ minutes: number }>(t.app.db, sql`
      select coalesce(sum(minutes), 0)::int as minutes from volunteer_month_bitmaps where community_id = ${l.community.id}::uuid and organization_id = ${l.organization.id}::uuid`);
    expect(rollup!.minutes).toBe(45); // the warming entry is pending: only this one counts
  });

  test('when the community moved to a time zone where servedOn is still to come, is refused naming servedOn', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    // UTC+14 and UTC-12 are 26 hours apart: today at UTC+14 is always in the future at UTC-12.
    expect((await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${l.community.id}`, { timezone: 'Etc/GMT-14' })).statusCode).toBe(200);
    const servedOn = daysAgo(0, 'Etc/GMT-14');
    await recorded(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 5 }));
    expect((await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${l.community.id}`, { timezone: 'Etc/GMT+12' })).statusCode).toBe(200);
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn }));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['servedOn']);
  });

  test('over the day\'s cap, is refused naming minutes with the day\'s total, and the day keeps its minutes', async () => {
    const l = await warmLedger();
    const servedOn = daysAgo(2);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 1430 }));
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 20 }), withKey('over'));
    expectProblem(res, 422, 'rule_violated');
    expect(fieldsOf(res)).toEqual(['minutes']);
    expect(res.json().errors[0].message).toContain('1450 minutes');
    expect((await dayMinutesRows(t.app, l.community.id)).get(`${l.volunteer.id}|${servedOn}`)).toBe(1430);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes: 10 }))).statusCode).toBe(201);
  });

  test('whose times overlap another entry, is refused as the long way refuses it', async () => {
    const l = await warmLedger();
    const servedOn = daysAgo(3);
    await recorded(t.app, l.coordinatorKey, entryBody(l, { servedOn, startedAt: at(servedOn, '09:00'), endedAt: at(servedOn, '10:00') }));
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { servedOn, startedAt: at(servedOn, '09:30'), endedAt: at(servedOn, '10:30') }));
    expectProblem(res, 422, 'rule_violated');
    expect(res.json().detail).toBe('Entries break the ledger\'s rules: startedAt overlaps another pending or approved entry of this volunteer');
    expect(fieldsOf(res)).toEqual(['startedAt']);
  });

  test('two in parallel that together pass the day\'s cap: one is recorded, the other refused', async () => {
    const l = await warmLedger();
    const servedOn = daysAgo(4);
    const answers = await Promise.all([800, 700].map((minutes) => record(t.app, l.coordinatorKey, entryBody(l, { servedOn, minutes }))));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 422]);
    const kept = answers.find((a) => a.statusCode === 201)!.json().minutes as number;
    expect((await dayMinutesRows(t.app, l.community.id)).get(`${l.volunteer.id}|${servedOn}`)).toBe(kept);
  });

  test('when another request stores an answer for its key while it runs, undoes itself and replays that answer', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const coordinator = await createKeyWithId(t.app, t.adminKey, { role: 'coordinator', organizationId: l.organization.id });
    await recorded(t.app, coordinator.secret, entryBody(l, { servedOn: daysAgo(10), minutes: 5 }));
    const pool = t.app.database.pool;
    if (!pool) return; // embedded PGlite is one session: requests never overlap there
    const servedOn = daysAgo(5);
    const body = entryBody(l, { servedOn });
    const stored = { type: 'about:blank', title: 'Stored first', status: 422, detail: 'the other request\'s answer' };
    const holder = await pool.connect();
    let res: Awaited<ReturnType<typeof record>>;
    try {
      // The other answer, written but not committed: the statement's own insert of the key waits on it.
      await holder.query('begin');
      await holder.query(`insert into idempotency_keys (api_key_id, key, fingerprint, state, response_status, response_body)
        values ($1, 'raced', $2, 'done', 422, $3)`, [coordinator.id, fingerprintOf('POST', ENTRIES, body), JSON.stringify(stored)]);
      const pending = record(t.app, coordinator.secret, body, withKey('raced'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('commit');
      res = await pending;
    } finally {
      holder.release();
    }
    // Either it waited on that answer and undid itself (write_guard), or it started after the commit and read it: the same answer.
    expect(res.statusCode).toBe(422);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.json()).toEqual(stored);
    expect((await dayMinutesRows(t.app, l.community.id)).get(`${l.volunteer.id}|${servedOn}`)).toBeUndefined();
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });
});

describe('the known entries\' statement', () => {
  // Its generic plan is made for a JSON record set of a hundred rows. Against small tables, an
  // EXISTS there was answered by hashing the whole table (every volunteer, every membership) on
  // each call. Small temporary copies shadow the two tables here, which makes hashing look cheap.
  test('looks each fact up per entry, never hashing a table whole', async () => {
    let plan = '';
    await t.app.db.transaction(async (tx) => {
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      for (const table of ['volunteers', 'memberships']) {
        await tx.execute(sql.raw(`create temporary table ${table} on commit drop as select * from public.${table} limit 0`));
        await tx.execute(sql.raw(`insert into pg_temp.${table} (id, community_id, ${table === 'volunteers' ? 'status' : 'organization_id, volunteer_id'})
          select gen_random_uuid(), gen_random_uuid(), ${table === 'volunteers' ? '\'active\'' : 'gen_random_uuid(), gen_random_uuid()'} from generate_series(1, 50)`));
        await tx.execute(sql.raw(`analyze pg_temp.${table}`));
      }
      await tx.execute(sql.raw(`prepare known_entries_plan as ${recordKnown.sqlOf(t.app.db)}`));
      try {
        plan = (await queryRows<{ 'QUERY PLAN': string }>(tx, sql.raw('explain (verbose) execute known_entries_plan(\'[]\', 86400, 86400)'))).map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await tx.execute(sql.raw('deallocate known_entries_plan'));
      }
      tx.rollback();
    }).catch((err: Error) => { if (!/rollback/i.test(err.message)) throw err; });
    expect(plan).toMatch(/SubPlan/);
    expect(plan).not.toMatch(/hashed SubPlan/i);
  });
});

describe('write_guard (migration 0009)', () => {
  test('answers true for true and raises SQLSTATE VH001 with its reason otherwise', async () => {
    expect((await queryRows<{ ok: boolean }>(t.app.db, sql`select write_guard(true, 'fine') as ok`))[0]!.ok).toBe(true);
    await expect(queryRows(t.app.db, sql`select write_guard(false, 'undo it')`)).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'VH001', message: 'undo it' }) });
  });
});
