import { sql } from 'drizzle-orm';
import { canonicalJson, checkProbe, storeAnswer } from '../../src/modules/idempotency/idempotency.js';
import { queryRows } from '../../src/db/raw.js';
import { createLedgerTenant } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { act, BATCH, countEntries, createKeyWithId, daysAgo, ENTRIES, entryBody, fieldsOf, record, recorded } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const withKey = (key: string) => ({ 'idempotency-key': key });

describe('POST /v1/service-entries › Idempotency-Key', () => {
  test('a retry replays the first status, body and Location with Idempotent-Replayed: true, and records nothing new', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l);
    const first = await record(t.app, l.coordinatorKey, body, withKey('retry-1'));
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (let i = 0; i < 2; i += 1) {
      const again = await record(t.app, l.coordinatorKey, body, withKey('retry-1'));
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.json()).toEqual(first.json());
    }
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });

  test('the same body with its properties in another order is the same request and is replayed', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l, { description: '巡逻' });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await record(t.app, l.coordinatorKey, body, withKey('order'));
    const again = await record(t.app, l.coordinatorKey, reordered, withKey('order'));
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });

  test('the same key with a different body answers 422 idempotency_key_reused and stores nothing', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 60 }), withKey('reused'));
    const res = await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 61 }), withKey('reused'));
    expectProblem(res, 422, 'idempotency_key_reused');
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });

  test('a 422 answer is replayed too, even after the rule it broke would pass', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const blocker = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 1000 }));
    const body = entryBody(l, { minutes: 600 });
    const refused = await record(t.app, l.coordinatorKey, body, withKey('refused'));
    expectProblem(refused, 422, 'rule_violated');
    await act(t.app, l.coordinatorKey, blocker.id, 'reject', 'recorded for the wrong day');
    const replay = await record(t.app, l.coordinatorKey, body, withKey('refused'));
    expect(replay.statusCode).toBe(422);
    expect(replay.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(refused.json());
    expect((await record(t.app, l.coordinatorKey, body, withKey('fresh'))).statusCode).toBe(201);
  });

  test('while another request holds the key, a retry answers 409 idempotency_in_progress with Retry-After; once it is free the retry records', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const coordinator = await createKeyWithId(t.app, t.adminKey, { role: 'coordinator', organizationId: l.organization.id });
    const body = entryBody(l);
    const pool = t.app.database.pool;
    if (!pool) {
      // Embedded PGlite is a single session, so two requests never overlap there: the answer to
      // a key held elsewhere is checked directly.
      expect(() => checkProbe({ locked: false, fingerprint: null, status: null, body: null }, 'x')).toThrow(expect.objectContaining({ code: 'idempotency_in_progress' }));
      return;
    }
    const holder = await pool.connect();
    try {
      await holder.query('begin');
      await holder.query("select pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))", [coordinator.id, 'running']);
      const res = await record(t.app, coordinator.secret, body, withKey('running'));
      expectProblem(res, 409, 'idempotency_in_progress');
      expect(res.headers['retry-after']).toBe('1');
      expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    const retry = await record(t.app, coordinator.secret, body, withKey('running'));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  test('a write cut off by a database failure leaves its key free: the 503 is not stored and the retry records the entry once', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l);
    // The insert runs, then the connection drops before its answer arrives (hooked where
    // statements hand Drizzle their prepared queries, on the session class, since a
    // transaction gets a session of its own); the transaction never commits.
    type Prepared = { execute(...values: unknown[]): Promise<unknown> };
    const sessions = Object.getPrototypeOf((t.app.db as unknown as { session: object }).session) as { prepareQuery(...args: unknown[]): Prepared };
    const prepare = sessions.prepareQuery;
    sessions.prepareQuery = function cutOff(this: unknown, ...args: unknown[]) {
      const prepared = prepare.apply(this, args);
      if (!String(args[2]).startsWith('entries_insert')) return prepared;
      sessions.prepareQuery = prepare;
      return { execute: async (...values: unknown[]) => { await prepared.execute(...values); throw new Error('Connection terminated unexpectedly'); } };
    };
    try {
      expectProblem(await record(t.app, l.coordinatorKey, body, withKey('cut-off')), 503, 'service_unavailable');
    } finally {
      sessions.prepareQuery = prepare;
    }
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
    const retry = await record(t.app, l.coordinatorKey, body, withKey('cut-off'));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect((await record(t.app, l.coordinatorKey, body, withKey('cut-off'))).json().id).toBe(retry.json().id);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });

  test('an answer another request stored first is never overwritten (the later write is refused)', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const coordinator = await createKeyWithId(t.app, t.adminKey, { role: 'coordinator', organizationId: l.organization.id });
    const claim = { apiKeyId: coordinator.id, key: 'first-wins', communityId: null, fingerprint: 'f' };
    expect(await storeAnswer(t.app.db, claim, { status: 201, body: { id: 'first' } })).toBe(true);
    expect(await storeAnswer(t.app.db, claim, { status: 201, body: { id: 'second' } })).toBe(false);
    const rows = await queryRows<{ body: string }>(t.app.db, sql`select response_body as body from idempotency_keys where api_key_id = ${coordinator.id}::uuid and key = 'first-wins'`);
    expect(rows.map((r) => r.body)).toEqual(['{"id":"first"}']);
  });

  test('five parallel identical requests with one key store one entry; each answer is that 201 or a 409', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l);
    const answers = await Promise.all(Array.from({ length: 5 }, () => record(t.app, l.coordinatorKey, body, withKey('parallel'))));
    const created = answers.filter((r) => r.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    for (const res of answers.filter((r) => r.statusCode !== 201)) expectProblem(res, 409, 'idempotency_in_progress');
    const stored = await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}?communityId=${l.community.id}`);
    expect(stored.json().data.map((e: { id: string }) => e.id)).toEqual([created[0]!.json().id]);
  });

  test('keys are per API key: another key may use the same string for its own request', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l);
    const a = await record(t.app, l.coordinatorKey, body, withKey('shared-string'));
    const b = await record(t.app, l.communityAdminKey, body, withKey('shared-string'));
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().id).not.toBe(a.json().id);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('after 24 hours the key expires and may be used again, even for another body', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const first = await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 30 }), withKey('yesterday'));
    await t.app.db.execute(sql`update idempotency_keys set created_at = created_at - interval '25 hours'
      where key = 'yesterday' and api_key_id = ${first.json().recordedByKeyId}::uuid`);
    const reused = await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 45 }), withKey('yesterday'));
    expect(reused.statusCode).toBe(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    expect(reused.json().minutes).toBe(45);
    const replay = await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 45 }), withKey('yesterday'));
    expect(replay.json().id).toBe(reused.json().id);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('a key of 256 characters answers 400 naming idempotency-key; 255 characters are accepted', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const tooLong = await record(t.app, l.coordinatorKey, entryBody(l), withKey('k'.repeat(256)));
    expectProblem(tooLong, 400, 'invalid_parameter');
    expect(fieldsOf(tooLong)).toEqual(['idempotency-key']);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
    expect((await record(t.app, l.coordinatorKey, entryBody(l), withKey('k'.repeat(255)))).statusCode).toBe(201);
  });

  test('a body that fails validation does not use up the key', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 0 }), withKey('typo'))).statusCode).toBe(422);
    expect((await record(t.app, l.coordinatorKey, entryBody(l, { minutes: 10 }), withKey('typo'))).statusCode).toBe(201);
  });
});

describe('POST /v1/service-entries/batch › Idempotency-Key', () => {
  test('a retried batch replays the first answer and records nothing new', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = { entries: [entryBody(l, { servedOn: daysAgo(5) }), entryBody(l, { servedOn: daysAgo(6) })] };
    const first = await call(t.app, l.coordinatorKey, 'POST', BATCH, body, withKey('batch-1'));
    expect(first.statusCode).toBe(201);
    const again = await call(t.app, l.coordinatorKey, 'POST', BATCH, body, withKey('batch-1'));
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(2);
  });

  test('a batch replay is byte for byte the first answer: approved, timed and described entries in their order', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey, { approvalPolicy: 'auto' });
    const servedOn = daysAgo(4);
    const body = { entries: [
      entryBody(l, { servedOn, minutes: 45, startedAt: `${servedOn}T09:15:00+08:00`, endedAt: `${servedOn}T10:00:00+08:00`, location: '3号院', description: '小区 "环境" 整治' }),
      entryBody(l, { servedOn: daysAgo(7), source: 'self_report' }),
      entryBody(l, { servedOn: daysAgo(2), activityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f79' }),
    ] };
    const first = await call(t.app, l.coordinatorKey, 'POST', BATCH, body, withKey('batch-rich'));
    expect(first.statusCode).toBe(201);
    expect(first.json().data.map((e: { status: string }) => e.status)).toEqual(['approved', 'pending', 'approved']);
    const again = await call(t.app, l.coordinatorKey, 'POST', BATCH, body, withKey('batch-rich'));
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
  });

  test('a refused batch is replayed as the same 422', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = { entries: [entryBody(l), entryBody(l, { servedOn: daysAgo(-1) })] };
    const first = await call(t.app, l.coordinatorKey, 'POST', BATCH, body, withKey('batch-bad'));
    expectProblem(first, 422, 'rule_violated');
    const again = await call(t.app, l.coordinatorKey, 'POST', BATCH, body, withKey('batch-bad'));
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });

  test('one key used for a single entry and then a batch is a different request: 422', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const body = entryBody(l);
    await record(t.app, l.coordinatorKey, body, withKey('both'));
    const res = await call(t.app, l.coordinatorKey, 'POST', BATCH, { entries: [body] }, withKey('both'));
    expectProblem(res, 422, 'idempotency_key_reused');
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(1);
  });
});

describe('canonicalJson (the request fingerprint\'s form)', () => {
  test('sorts keys at every depth, drops undefined properties, keeps arrays in order with undefined as null', () => {
    const one = { b: [{ y: 1, x: 'a"b' }, undefined, null], a: { d: true, c: undefined, 'é': '\u2028' } };
    const other = { a: { 'é': '\u2028', d: true }, b: [{ x: 'a"b', y: 1 }, null, null] };
    expect(canonicalJson(one)).toBe('{"a":{"d":true,"é":"\u2028"},"b":[{"x":"a\\"b","y":1},null,null]}');
    expect(canonicalJson(other)).toBe(canonicalJson(one));
    expect(JSON.parse(canonicalJson(one))).toEqual(other);
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson({ a: undefined })).toBe('{}');
  });
});
