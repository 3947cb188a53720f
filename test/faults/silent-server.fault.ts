/**
 * PostgreSQL stops answering without closing anything: its postmaster and the service's backend
 * are SIGSTOPped, as a frozen server or a route that drops packets would leave them. No
 * statement_timeout can fire on a stopped backend, and TCP keeps the connection open: only the
 * service's query watchdog (src/db/query-watchdog.ts) ends the wait. A read must answer 503
 * problem+json with Retry-After soon after DB_STATEMENT_TIMEOUT_MS + 1 s instead of hanging, a
 * write caught the same way may or may not have been written, and its retry with the same
 * Idempotency-Key once the server answers again records it exactly once.
 */
import {
  checkLedger, describeOutcome, isRetryable503, postEntry, seed, storedByTag, useFaultRig, whileSilent, writeSpec, type WriteRecord,
} from './harness.js';

const STATEMENT_TIMEOUT_MS = 500;
/** The watchdog's limit (the statement timeout + 1 s), a quarter of it between its looks, and slack for a loaded machine. */
const ANSWER_WITHIN_MS = 4_000;

describe('a PostgreSQL server that stops answering', () => {
  const rig = useFaultRig();

  test('answers 503 problem+json with Retry-After instead of hanging, and records a retried write once when it answers again', async () => {
    const run = `silent-${Date.now()}`;
    // One connection, so the read meets the stopped backend rather than opening a new one; keys
    // cached, so the read's first query is the community's.
    const { cluster, client } = await rig.start({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS), DB_POOL_MAX: '1', AUTH_CACHE_TTL_MS: '60000' });
    const fixture = await seed(client, run);
    const path = `/v1/communities/${fixture.communityId}`;
    await client.ok('GET', path, 200);
    const spec = writeSpec(fixture, run, 1);

    const { read, write } = await whileSilent(cluster.url, async () => {
      const started = Date.now();
      const outcome = await client.request('GET', path, { timeoutMs: 15_000 });
      const read = { status: describeOutcome(outcome), ms: Date.now() - started, retryable: isRetryable503(outcome) };
      const write: WriteRecord = { spec, startedAt: Date.now(), endedAt: 0, outcome: await postEntry(client, spec, 15_000) };
      write.endedAt = Date.now();
      return { read, write };
    });

    const after = await client.request('GET', path, { timeoutMs: 15_000 });
    const retry = await postEntry(client, spec);
    const replay = await postEntry(client, spec);
    const records: WriteRecord[] = [write, { spec, startedAt: 0, endedAt: 0, outcome: retry }, { spec, startedAt: 0, endedAt: 0, outcome: replay }];
    const ledger = checkLedger(records, await storedByTag(cluster.url, run));
    console.log(`[fault] silent server: ${JSON.stringify({
      read, write: { ms: write.endedAt - write.startedAt, answer: describeOutcome(write.outcome).slice(0, 100) },
      after: describeOutcome(after).slice(0, 20), retry: describeOutcome(retry).slice(0, 20), stored: ledger.stored,
    })}`);

    expect(read.status).toMatch(/^503 /);
    expect(read.retryable).toBe(true);
    expect(read.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(isRetryable503(write.outcome)).toBe(true);
    expect(after.kind === 'response' && after.status).toBe(200);
    expect(retry.kind === 'response' && retry.status).toBe(201);
    expect(replay.kind === 'response' && replay.headers['idempotent-replayed']).toBe('true');
    expect(ledger.lost).toEqual([]);
    expect(ledger.duplicated).toEqual([]);
    expect(ledger.stored).toBe(1);
  });
});
