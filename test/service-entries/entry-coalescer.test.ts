import { sql } from 'drizzle-orm';
import { checkViolation } from '../../src/db/errors.js';
import { array, queryRows } from '../../src/db/raw.js';
import { checkProbe, StoredAnswer, type KeyClaim } from '../../src/modules/idempotency/idempotency.js';
import { EntryCoalescer } from '../../src/modules/service-entries/entry-coalescer.js';
import type { KnownEntry, KnownOutcome } from '../../src/modules/service-entries/entry-one-statement.js';
import type { OrganizationRef } from '../../src/modules/service-entries/entry-references.js';
import { toEntry } from '../../src/modules/service-entries/entry-view.js';
import type { NewEntry } from '../../src/modules/service-entries/entry-writer.js';
import type { Actor } from '../../src/plugins/auth/actor.js';
import { createKeyWithId, createLedgerTenant, registerMember } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { at, dayMinutesRows, daysAgo, entryBody, recorded, statementsOf, type Ledger } from './support.js';

/*
 * Known entries that arrive together share one statement (src/modules/service-entries/entry-coalescer.ts).
 * These tests hand the coalescer entries directly, all before it flushes, so what goes together is certain.
 */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

interface Tenant { l: Ledger; actor: Actor; organization: OrganizationRef; volunteers: string[] }

async function tenant(volunteers = 3, on: TestApp = t): Promise<Tenant> {
  const l = await createLedgerTenant(on.app, on.adminKey);
  const key = await createKeyWithId(on.app, on.adminKey, { role: 'coordinator', organizationId: l.organization.id });
  const others = [];
  for (let i = 1; i < volunteers; i += 1) others.push((await registerMember(on.app, l.communityAdminKey, l.community.id, l.organization.id)).id as string);
  return {
    l,
    actor: { keyId: key.id, role: 'coordinator', communityId: l.community.id, organizationId: l.organization.id, regionCode: null },
    organization: { id: l.organization.id, communityId: l.community.id, archived: false, approvalPolicy: 'manual', timezone: 'Asia/Shanghai' },
    volunteers: [l.volunteer.id, ...others],
  };
}

let requests = 0;
function known(tn: Tenant, volunteerId: string, servedOn: string, minutes: number, entry: Partial<NewEntry> = {}, key?: KnownEntry['key']): KnownEntry {
  requests += 1;
  return {
    ctx: { actor: tn.actor, requestId: `coalesced-${requests}`, log: t.app.log },
    entry: {
      communityId: tn.l.community.id, volunteerId, organizationId: tn.l.organization.id, categoryId: tn.l.categoryByCode.environment_health!,
      servedOn, minutes, activityId: null, startedAt: null, endedAt: null, location: null, description: null, status: 'pending', source: 'coordinator', ...entry,
    },
    organization: tn.organization,
    members: true,
    key,
  };
}

/** The hooks an Idempotency-Key gives a write (see `idempotent`), for `key` of `tn`'s coordinator. */
function keyHooks(tn: Tenant, key: string, fingerprint = `print-${key}`): NonNullable<KnownEntry['key']> {
  const claim: KeyClaim = { apiKeyId: tn.actor.keyId, key, communityId: tn.actor.communityId, fingerprint };
  return {
    claim,
    probe: { values: { keyHolder: claim.apiKeyId, idempotencyKey: key }, check: (value) => checkProbe(value, fingerprint) },
    storing: (outcome) => ({ ...claim, status: outcome.status, body: JSON.stringify(outcome.body) }),
    refused: () => { throw new Error('refused'); },
    answer: (rows) => ({ status: 201, body: toEntry(rows[0]!) }),
  };
}

/** Hands every entry to a fresh coalescer in one turn; each one's outcome or error, and the statements prepared. */
async function together(entries: KnownEntry[], app = t.app): Promise<{ outcomes: Array<KnownOutcome | Error>; statements: string[] }> {
  const coalescer = new EntryCoalescer(app.db);
  let outcomes: Array<KnownOutcome | Error> = [];
  const statements = await statementsOf(app, async () => {
    outcomes = await Promise.all(entries.map((e) => coalescer.record(e).catch((err: Error) => err)));
  });
  return { outcomes, statements };
}

const auditRequestIds = async (ids: string[]) => (await queryRows<{ requestId: string }>(t.app.db, sql`
  select request_id as "requestId" from audit_events where entity_id = any(${array(ids)}::uuid[]) order by entity_id`)).map((r) => r.requestId);

test('entries arriving together are written by one statement, each with its own row, audit event and request', async () => {
  const tn = await tenant(3);
  const servedOn = daysAgo(2);
  const entries = tn.volunteers.map((v, i) => known(tn, v, servedOn, 30 + i));
  const { outcomes, statements } = await together(entries);
  expect(statements).toEqual(['entries_record_known']);
  const rows = outcomes.map((o) => (o as KnownOutcome).rows![0]!);
  expect(rows.map((r) => [r.volunteerId, r.minutes])).toEqual(tn.volunteers.map((v, i) => [v, 30 + i]));
  expect(new Set(rows.map((r) => r.id)).size).toBe(3);
  const days = await dayMinutesRows(t.app, tn.l.community.id);
  expect(tn.volunteers.map((v) => days.get(`${v}|${servedOn}`))).toEqual([30, 31, 32]);
  const byId = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(await auditRequestIds(byId.map((r) => r.id))).toEqual(byId.map((r) => entries[rows.indexOf(r)]!.ctx.requestId));
});

test('two entries of one volunteer-day go in separate statements, and both count', async () => {
  const tn = await tenant(1);
  const servedOn = daysAgo(3);
  const { outcomes, statements } = await together([known(tn, tn.volunteers[0]!, servedOn, 100), known(tn, tn.volunteers[0]!, servedOn, 200)]);
  expect(statements).toEqual(['entries_record_known', 'entries_record_known']);
  expect(outcomes.map((o) => (o as KnownOutcome).rows?.[0]?.minutes)).toEqual([100, 200]);
  expect((await dayMinutesRows(t.app, tn.l.community.id)).get(`${tn.volunteers[0]}|${servedOn}`)).toBe(300);
});

test('an entry whose facts no longer hold, or whose day is full, records nothing; the others are recorded', async () => {
  const tn = await tenant(3);
  const [member, full, other] = tn.volunteers as [string, string, string];
  const servedOn = daysAgo(4);
  await recorded(t.app, tn.l.coordinatorKey, entryBody(tn.l, { volunteerId: full, servedOn, minutes: 1430 }));
  const notMember = { ...known(tn, member, servedOn, 10), organization: { ...tn.organization, approvalPolicy: 'auto' as const } };
  const { outcomes, statements } = await together([notMember, known(tn, full, servedOn, 20), known(tn, other, servedOn, 15)]);
  expect(statements).toEqual(['entries_record_known']);
  expect(outcomes[0]).toEqual({ stale: true });
  expect(outcomes[1]).toEqual({ stale: false });
  expect((outcomes[2] as KnownOutcome).rows?.[0]?.minutes).toBe(15);
  const days = await dayMinutesRows(t.app, tn.l.community.id);
  expect([days.get(`${member}|${servedOn}`), days.get(`${full}|${servedOn}`), days.get(`${other}|${servedOn}`)]).toEqual([undefined, 1430, 15]);
});

test('a statement that fails is written again entry by entry: the entry at fault gets the error, the others are recorded', async () => {
  const tn = await tenant(3);
  const [first, second, third] = tn.volunteers as [string, string, string];
  const servedOn = daysAgo(5);
  await recorded(t.app, tn.l.coordinatorKey, entryBody(tn.l, { volunteerId: second, servedOn, minutes: 60, startedAt: at(servedOn, '09:00'), endedAt: at(servedOn, '10:00') }));
  const overlapping = known(tn, second, daysAgo(5), 60, { startedAt: new Date(at(servedOn, '09:30')).toISOString(), endedAt: new Date(at(servedOn, '10:30')).toISOString() });
  const { outcomes, statements } = await together([known(tn, first, servedOn, 10), overlapping, known(tn, third, servedOn, 20)]);
  expect(statements).toEqual(Array(4).fill('entries_record_known'));
  expect(checkViolation(outcomes[1])).toBe('service_entries_no_overlap');
  expect([(outcomes[0] as KnownOutcome).rows?.[0]?.minutes, (outcomes[2] as KnownOutcome).rows?.[0]?.minutes]).toEqual([10, 20]);
  const days = await dayMinutesRows(t.app, tn.l.community.id);
  expect([days.get(`${first}|${servedOn}`), days.get(`${second}|${servedOn}`), days.get(`${third}|${servedOn}`)]).toEqual([10, 60, 20]);
});

test('one Idempotency-Key twice while the first is written: the second is answered 409 at once, as the long way answers it', async () => {
  const tn = await tenant(2);
  const [first, second] = tn.volunteers as [string, string];
  const servedOn = daysAgo(6);
  const { outcomes, statements } = await together([known(tn, first, servedOn, 25, {}, keyHooks(tn, 'twice')), known(tn, first, servedOn, 25, {}, keyHooks(tn, 'twice')), known(tn, second, servedOn, 5, {}, keyHooks(tn, 'other'))]);
  expect(statements).toEqual(['entries_record_known']);
  expect((outcomes[0] as KnownOutcome).rows?.[0]?.minutes).toBe(25);
  expect(outcomes[1]).toMatchObject({ code: 'idempotency_in_progress' });
  expect((outcomes[2] as KnownOutcome).rows?.[0]?.minutes).toBe(5);
  expect((await dayMinutesRows(t.app, tn.l.community.id)).get(`${first}|${servedOn}`)).toBe(25);
});

test('one Idempotency-Key again after the first was written: its answer is replayed', async () => {
  const tn = await tenant(1);
  const servedOn = daysAgo(7);
  const coalescer = new EntryCoalescer(t.app.db);
  const recordedRow = ((await coalescer.record(known(tn, tn.volunteers[0]!, servedOn, 25, {}, keyHooks(tn, 'again')))) as KnownOutcome).rows![0]!;
  const again = await coalescer.record(known(tn, tn.volunteers[0]!, servedOn, 25, {}, keyHooks(tn, 'again'))).catch((err: Error) => err);
  expect(again).toBeInstanceOf(StoredAnswer);
  expect((again as StoredAnswer).outcome).toEqual({ status: 201, body: toEntry(recordedRow) });
  expect((await dayMinutesRows(t.app, tn.l.community.id)).get(`${tn.volunteers[0]}|${servedOn}`)).toBe(25);
});

test('a statement that fails for no row of its own (a timeout) is every entry\'s answer, and none is written again', async () => {
  const slow = await createTestApp({ DB_STATEMENT_TIMEOUT_MS: '500' });
  try {
    const pool = slow.app.database.pool;
    if (!pool) return; // embedded PGlite is one session: no other connection can hold a lock
    const tn = await tenant(2, slow);
    const [first, second] = tn.volunteers as [string, string];
    const servedOn = daysAgo(8);
    await recorded(slow.app, tn.l.coordinatorKey, entryBody(tn.l, { volunteerId: first, servedOn, minutes: 5 }));
    const holder = await pool.connect();
    let result: Awaited<ReturnType<typeof together>>;
    try {
      // The first entry's day is locked: the statement waits on it until its timeout cancels it.
      await holder.query('begin');
      await holder.query('select 1 from volunteer_day_minutes where volunteer_id = $1 and served_on = $2 for update', [first, servedOn]);
      result = await together([known(tn, first, servedOn, 10), known(tn, second, servedOn, 20)], slow.app);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect(result.statements).toEqual(['entries_record_known']);
    expect(result.outcomes.map((o) => (o as { cause?: { code?: string } }).cause?.code ?? (o as { code?: string }).code)).toEqual(['57014', '57014']);
    const days = await dayMinutesRows(slow.app, tn.l.community.id);
    expect([days.get(`${first}|${servedOn}`), days.get(`${second}|${servedOn}`)]).toEqual([5, undefined]);
  } finally {
    await slow.close();
  }
});

test('a statement waiting on a lock holds up no one else: after a moment the next entries get a statement of their own', async () => {
  const pool = t.app.database.pool;
  if (!pool) return; // embedded PGlite is one session: no other connection can hold a lock
  const tn = await tenant(2);
  const [blocked, free] = tn.volunteers as [string, string];
  const servedOn = daysAgo(9);
  await recorded(t.app, tn.l.coordinatorKey, entryBody(tn.l, { volunteerId: blocked, servedOn, minutes: 5 }));
  const coalescer = new EntryCoalescer(t.app.db, { maxInFlight: 1, stallMs: 50 });
  const holder = await pool.connect();
  try {
    await holder.query('begin');
    await holder.query('select 1 from volunteer_day_minutes where volunteer_id = $1 and served_on = $2 for update', [blocked, servedOn]);
    const first = coalescer.record(known(tn, blocked, servedOn, 10));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // The only slot is taken by a statement waiting on the lock; past 50 ms it stops counting.
    const second = await coalescer.record(known(tn, free, servedOn, 20));
    expect(second.rows?.[0]?.minutes).toBe(20);
    let firstDone = false;
    void first.then(() => { firstDone = true; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(firstDone).toBe(false);
    await holder.query('commit');
    expect((await first).rows?.[0]?.minutes).toBe(10);
  } finally {
    holder.release();
  }
  const days = await dayMinutesRows(t.app, tn.l.community.id);
  expect([days.get(`${blocked}|${servedOn}`), days.get(`${free}|${servedOn}`)]).toEqual([15, 20]);
});
