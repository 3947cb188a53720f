import { createLedgerTenant, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type Response, type TestApp } from '../helpers/test-app.js';
import { BATCH, countEntries, createKeyWithId, daysAgo, entryBody, statementsOf, type Ledger } from './support.js';

/*
 * A write whose references the service already knows sends its insert before reading them
 * (recordEntries): the insert must count only when what the database says confirms the guess.
 * The metric tells which way each guess went, so every test here knows it took that path.
 */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const batch = (key: string, entries: unknown[], headers: Record<string, string> = {}): Promise<Response> => call(t.app, key, 'POST', BATCH, { entries }, headers);

type Guesses = Record<'confirmed' | 'stale' | 'refused', number>;

async function guesses(): Promise<Guesses> {
  const body = (await call(t.app, null, 'GET', '/metrics')).body;
  const count = (outcome: string) => Number(new RegExp(`entry_insert_guesses_total\\{outcome="${outcome}"\\} (\\d+)`).exec(body)?.[1] ?? 0);
  return { confirmed: count('confirmed'), stale: count('stale'), refused: count('refused') };
}

/** What `work` answered, and the guesses made while it ran, by outcome. */
async function guessesDuring<T>(work: () => Promise<T>): Promise<{ res: T; made: Guesses }> {
  const before = await guesses();
  const res = await work();
  const after = await guesses();
  return { res, made: { confirmed: after.confirmed - before.confirmed, stale: after.stale - before.stale, refused: after.refused - before.refused } };
}

/** Sends a batch: its answer, and the guesses it made. */
const batchGuessing = (key: string, entries: unknown[], headers: Record<string, string> = {}) => guessesDuring(() => batch(key, entries, headers));

type KnownLedger = Ledger & { other: Record<string, any> };

/** A tenant with two members, whose references one batch has made known. */
async function knownLedger(organizationBody: Record<string, unknown> = {}): Promise<KnownLedger> {
  const l = await createLedgerTenant(t.app, t.adminKey, organizationBody);
  const other = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
  const first = await batch(l.communityAdminKey, [entryBody(l, { minutes: 5, servedOn: daysAgo(10) }), entryBody(l, { volunteerId: other.id, minutes: 5, servedOn: daysAgo(10) })]);
  expect(first.statusCode).toBe(201);
  return { ...l, other };
}

/** 30 minutes for the first member, 40 for the other. */
const bothMembers = (l: KnownLedger) => [entryBody(l, { minutes: 30 }), entryBody(l, { volunteerId: l.other.id, minutes: 40 })];

describe('Entries inserted on a guess', () => {
  test('a batch whose references are known is inserted on a guess, after the references statement, stored once and answered as stored', async () => {
    const l = await knownLedger();
    let statements: string[] = [];
    const { res, made } = await guessesDuring(async () => {
      let answer: Response | undefined;
      statements = await statementsOf(t.app, async () => { answer = await batch(l.communityAdminKey, bothMembers(l)); });
      return answer!;
    });
    expect(made).toEqual({ confirmed: 1, stale: 0, refused: 0 });
    // Sent the other way round, the key's probe could see what the insert stored.
    const references = statements.findIndex((name) => name.startsWith('entry_references'));
    expect(references).toBeGreaterThanOrEqual(0);
    expect(statements.findIndex((name) => name.startsWith('entries_insert'))).toBeGreaterThan(references);
    expect(res.statusCode).toBe(201);
    for (const item of res.json().data as Record<string, unknown>[]) {
      const got = await call(t.app, l.communityAdminKey, 'GET', `/v1/service-entries/${item.id as string}`);
      expect(JSON.stringify(item)).toBe(JSON.stringify(got.json()));
    }
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(4);
  });

  test('a guess the organization\'s new policy made stale is rolled back and recorded again as the policy says', async () => {
    const l = await knownLedger();
    expect((await call(t.app, l.communityAdminKey, 'PATCH', `/v1/organizations/${l.organization.id}`, { approvalPolicy: 'auto' })).statusCode).toBe(200);
    const { res, made } = await batchGuessing(l.communityAdminKey, bothMembers(l));
    expect(made).toEqual({ confirmed: 0, stale: 1, refused: 0 });
    expect(res.statusCode).toBe(201);
    expect((res.json().data as { status: string }[]).map((e) => e.status)).toEqual(['approved', 'approved']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(4);
    // The retry taught the cache: the next batch's guess holds.
    expect((await batchGuessing(l.communityAdminKey, [entryBody(l, { minutes: 1 })])).made).toEqual({ confirmed: 1, stale: 0, refused: 0 });
  });

  test('a volunteer the cache still thinks active: the guessed insert is rolled back, the item named, nothing stored', async () => {
    const l = await knownLedger();
    expect((await call(t.app, l.communityAdminKey, 'PATCH', `/v1/volunteers/${l.other.id}`, { status: 'inactive' })).statusCode).toBe(200);
    const { res, made } = await batchGuessing(l.communityAdminKey, bothMembers(l));
    expect(made).toEqual({ confirmed: 0, stale: 0, refused: 1 });
    expectProblem(res, 422, 'rule_violated');
    expect(res.json().errors).toEqual([expect.objectContaining({ index: 1, field: 'entries[1].volunteerId' })]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('a guessed batch over a volunteer\'s day cap is refused whole, and the day keeps its minutes', async () => {
    const l = await knownLedger();
    const servedOn = daysAgo(4);
    expect((await batch(l.communityAdminKey, [entryBody(l, { servedOn, minutes: 1000 })])).statusCode).toBe(201);
    const { res, made } = await batchGuessing(l.communityAdminKey, [entryBody(l, { volunteerId: l.other.id, servedOn, minutes: 20 }), entryBody(l, { servedOn, minutes: 441 })]);
    expect(made).toEqual({ confirmed: 0, stale: 0, refused: 1 });
    expectProblem(res, 422, 'rule_violated');
    expect(res.json().errors).toEqual([expect.objectContaining({ index: 1, field: 'entries[1].minutes' })]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(3);
    // The day still holds exactly its 1,000 minutes: 440 more fit, 441 did not.
    expect((await batch(l.communityAdminKey, [entryBody(l, { servedOn, minutes: 440 })])).statusCode).toBe(201);
  });

  test('a keyed batch inserted on a guess stores its answer with it: the retry replays it and records nothing', async () => {
    const l = await knownLedger();
    const headers = { 'idempotency-key': `guess-${l.community.id}` };
    const first = await batchGuessing(l.communityAdminKey, bothMembers(l), headers);
    expect(first.made).toEqual({ confirmed: 1, stale: 0, refused: 0 });
    expect(first.res.statusCode).toBe(201);
    const again = await batchGuessing(l.communityAdminKey, bothMembers(l), headers);
    expect(again.made).toEqual({ confirmed: 0, stale: 0, refused: 1 });
    expect(again.res.statusCode).toBe(201);
    expect(again.res.headers['idempotent-replayed']).toBe('true');
    expect(again.res.body).toBe(first.res.body);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(4);
  });

  test('a coordinator\'s batch is guessed with the memberships the cache knows, and refused once one has ended', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const other = await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id);
    const both = (minutes: number) => [entryBody(l, { minutes }), entryBody(l, { volunteerId: other.id, minutes })];
    expect((await batch(l.coordinatorKey, both(5))).statusCode).toBe(201);
    const known = await batchGuessing(l.coordinatorKey, both(6));
    expect(known.res.statusCode).toBe(201);
    expect(known.made).toEqual({ confirmed: 1, stale: 0, refused: 0 });
    expect((await call(t.app, l.communityAdminKey, 'DELETE', `/v1/organizations/${l.organization.id}/members/${other.id}`)).statusCode).toBeLessThan(300);
    const { res, made } = await batchGuessing(l.coordinatorKey, both(7));
    expect(made).toEqual({ confirmed: 0, stale: 0, refused: 1 });
    expectProblem(res, 422, 'rule_violated');
    expect(res.json().errors).toEqual([expect.objectContaining({ index: 1, field: 'entries[1].volunteerId' })]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(4);
  });

  test('a stale guess with an Idempotency-Key: recorded again as the policy says, and that answer is the one replayed', async () => {
    const l = await knownLedger();
    expect((await call(t.app, l.communityAdminKey, 'PATCH', `/v1/organizations/${l.organization.id}`, { approvalPolicy: 'auto' })).statusCode).toBe(200);
    const entries = [entryBody(l, { minutes: 30 })];
    const headers = { 'idempotency-key': `stale-${l.community.id}` };
    const first = await batchGuessing(l.communityAdminKey, entries, headers);
    expect(first.made).toEqual({ confirmed: 0, stale: 1, refused: 0 });
    expect(first.res.statusCode).toBe(201);
    expect(first.res.json().data[0].status).toBe('approved');
    const again = await batch(l.communityAdminKey, entries, headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.res.body);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(3);
  });

  test('a key another request holds answers 409 at once: the guessed insert stores no answer to wait on', async () => {
    const l = await knownLedger();
    const pool = t.app.database.pool;
    if (!pool) return; // embedded PGlite is one session: requests never overlap there
    const admin = await createKeyWithId(t.app, t.adminKey, { role: 'community_admin', communityId: l.community.id });
    const holder = await pool.connect();
    try {
      // The other request: it holds the key and has written its answer, not yet committed.
      await holder.query('begin');
      await holder.query("select pg_advisory_xact_lock(hashtextextended($1 || ':' || 'held', 0))", [admin.id]);
      await holder.query("insert into idempotency_keys (api_key_id, key, fingerprint, state, response_status, response_body) values ($1, 'held', 'f', 'done', 201, '{}')", [admin.id]);
      const timeout = new Promise<undefined>((resolve) => { setTimeout(() => resolve(undefined), 5000); });
      const { res, made } = await guessesDuring(() => Promise.race([batch(admin.secret, bothMembers(l), { 'idempotency-key': 'held' }), timeout]));
      expect(res?.statusCode).toBe(409); // undefined: it waited on the other request's row
      expect(made).toEqual({ confirmed: 0, stale: 0, refused: 1 });
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('entries with times are never guessed: their overlaps are read before anything is inserted', async () => {
    const l = await knownLedger();
    const servedOn = daysAgo(2);
    const { res, made } = await batchGuessing(l.communityAdminKey, [entryBody(l, { servedOn, minutes: 60, startedAt: `${servedOn}T08:00:00+08:00`, endedAt: `${servedOn}T09:00:00+08:00` })]);
    expect(res.statusCode).toBe(201);
    expect(made).toEqual({ confirmed: 0, stale: 0, refused: 0 });
  });
});
