/**
 * A query that cannot finish: another connection holds `LOCK TABLE communities IN ACCESS
 * EXCLUSIVE MODE` in an open transaction for about three seconds. With DB_STATEMENT_TIMEOUT_MS=500
 * a request that reads communities must answer 503/504 problem+json with Retry-After within a few
 * seconds instead of hanging; a write caught the same way records nothing, and its retry with the
 * same Idempotency-Key after the lock is gone records it exactly once.
 */
import {
  acknowledged, checkLedger, describeOutcome, isProblem, postEntry, seed, sleep, storedByTag, useFaultRig,
  writeSpec, type Outcome, type WriteRecord,
} from './harness.js';

const STATEMENT_TIMEOUT_MS = 500;
const HOLD_LOCK_MS = 3_000;
/** What "within a few seconds" means: the timeout, the client-side query timeout (+1 s) and slack for a loaded machine. */
const ANSWER_WITHIN_MS = 2_500;

const isTimeoutProblem = (res: Outcome): boolean => (isProblem(res, 503) || isProblem(res, 504))
  && res.kind === 'response' && /^\d+$/.test(String(res.headers['retry-after'] ?? ''));

describe('a query past statement_timeout', () => {
  const rig = useFaultRig();

  test('answers 503 problem+json with Retry-After instead of hanging, and recovers when the lock goes', async () => {
    const began = Date.now();
    const run = `timeout-${began}`;
    const { cluster, server, client } = await rig.start({ DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
    const fixture = await seed(client, run);
    const path = `/v1/communities/${fixture.communityId}`;
    await client.ok('GET', path, 200);

    const locker = await rig.holdLock('lock table communities in access exclusive mode');
    const locked = Date.now();

    const timed = async (send: () => Promise<Outcome>): Promise<{ outcome: Outcome; ms: number }> => {
      const start = Date.now();
      const outcome = await send();
      return { outcome, ms: Date.now() - start };
    };
    // A read of the locked table, a write that needs it (the entry's organization's community),
    // and readiness, which does not touch it.
    const spec = writeSpec(fixture, run, 1);
    const [read, write, ready] = await Promise.all([
      timed(() => client.request('GET', path, { timeoutMs: 10_000 })),
      timed(() => postEntry(client, spec, 10_000)),
      timed(() => client.request('GET', '/health/ready', { key: null, timeoutMs: 10_000 })),
    ]);
    const answeredWhileLocked = Date.now() - locked;
    // Hold the lock its full ~3 s, then release it.
    if (answeredWhileLocked < HOLD_LOCK_MS) await sleep(HOLD_LOCK_MS - answeredWhileLocked);
    await locker.query('rollback');

    const after = await timed(() => client.request('GET', path, { timeoutMs: 10_000 }));
    const retry = await postEntry(client, spec);
    const replay = await postEntry(client, spec);
    const records: WriteRecord[] = [write, { outcome: retry }, { outcome: replay }].map(({ outcome }) => ({ spec, startedAt: 0, endedAt: 0, outcome }));
    const stored = await storedByTag(cluster.url, run);
    const ledger = checkLedger(records, stored);

    console.log(`[fault] statement_timeout ${STATEMENT_TIMEOUT_MS} ms under a held lock: ${JSON.stringify({
      read: { ms: read.ms, answer: describeOutcome(read.outcome).slice(0, 120), retryAfter: read.outcome.kind === 'response' ? read.outcome.headers['retry-after'] : undefined },
      write: { ms: write.ms, answer: describeOutcome(write.outcome).slice(0, 120) },
      readyWhileLocked: { ms: ready.ms, status: ready.outcome.kind === 'response' ? ready.outcome.status : ready.outcome.code },
      allAnsweredWithinMs: answeredWhileLocked,
      afterRelease: { ms: after.ms, status: after.outcome.kind === 'response' ? after.outcome.status : after.outcome.code },
      retry: describeOutcome(retry).slice(0, 60),
      replayed: retry.kind === 'response' && replay.kind === 'response' ? replay.headers['idempotent-replayed'] : undefined,
      writesAttempted: 1,
      acknowledged: ledger.acknowledged,
      stored: ledger.stored,
      totalMs: Date.now() - began,
    })}`);

    // Not a hang: a retryable 503/504 problem within a few seconds, for the read and the write.
    expect(describeOutcome(read.outcome)).toMatch(/^50[34] /);
    expect(isTimeoutProblem(read.outcome)).toBe(true);
    expect(read.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(describeOutcome(write.outcome)).toMatch(/^50[34] /);
    expect(isTimeoutProblem(write.outcome)).toBe(true);
    expect(write.ms).toBeLessThan(ANSWER_WITHIN_MS);
    // Readiness does not read communities: the database itself answers.
    expect(ready.outcome.kind === 'response' && ready.outcome.status).toBe(200);

    // Once the lock is gone: reads answer, the write's retry records it once, a second retry replays.
    expect(after.outcome.kind === 'response' && after.outcome.status).toBe(200);
    expect(acknowledged(records[1]!)).toBe(true);
    expect(replay.kind === 'response' && replay.status).toBe(201);
    expect(replay.kind === 'response' && replay.headers['idempotent-replayed']).toBe('true');
    expect(ledger.lost).toEqual([]);
    expect(ledger.duplicated).toEqual([]);
    expect(ledger.stored).toBe(1);
    expect(server.hasExited()).toBe(false);
  }, 240_000);
});
