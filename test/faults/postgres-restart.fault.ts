/**
 * PostgreSQL goes away in the middle of a write load and comes back. The server must answer
 * 503 problem+json with Retry-After meanwhile (never a 500, never exit), report not-ready and
 * come back to ready by itself, and every write it acknowledged must be in the ledger exactly
 * once. Retrying a failed write with its Idempotency-Key afterwards must not record it twice.
 *
 * Twice: a clean fast shutdown (connections terminated, auth cache off so every request meets
 * the outage at authentication too) and a crash (immediate: no shutdown checkpoint, crash
 * recovery on start, the default auth cache).
 */
import {
  acknowledged, checkLedger, describeOutcome, isRetryable503, monitorHealth, postEntry, seed, sleep,
  storedByTag, tally, useFaultRig, waitFor, writeLoad, type WriteRecord,
} from './harness.js';

const WRITERS = 4;

const DOWN_FOR_MS = 3_000;
const RETRY_SAMPLE = 40;

describe.each([
  { mode: 'fast' as const, authCacheTtlMs: '0' },
  { mode: 'immediate' as const, authCacheTtlMs: '5000' },
])('PostgreSQL stopped ($mode) and restarted during a write load', ({ mode, authCacheTtlMs }) => {
  const rig = useFaultRig();

  test('answers 503 with Retry-After while it is down, recovers by itself, and loses or duplicates no acknowledged write', async () => {
    const began = Date.now();
    const run = `restart-${mode}-${began}`;
    const { cluster, server, client } = await rig.start({ RATE_LIMIT_PER_MINUTE: '1000000', AUTH_CACHE_TTL_MS: authCacheTtlMs });
    const fixture = await seed(client, run);

    const monitor = monitorHealth(server.port);
    const load = writeLoad(client, fixture, run, { writers: WRITERS, deadlineMs: 90_000, maxPerWriter: 5_000 });
    const acksSince = (since: number): number => load.records.filter((r) => r.startedAt >= since && acknowledged(r)).length;

    // Warm up, then take the database away mid-load.
    await waitFor('20 acknowledged writes before the outage', async () => (acksSince(0) >= 20 ? true : undefined), 30_000);
    const stopping = Date.now();
    await cluster.stop(mode);
    const down = Date.now();
    await sleep(DOWN_FOR_MS);
    const starting = Date.now();
    await cluster.start();
    const up = Date.now();

    // Ready again without a restart of the service, and writes succeed again.
    const readyAgain = await waitFor('GET /health/ready = 200 after the restart', async () => {
      const sample = monitor.samples.find((s) => s.at >= up && s.ready.kind === 'response' && s.ready.status === 200);
      return sample?.at;
    }, 30_000);
    await waitFor('20 acknowledged writes after the restart', async () => (acksSince(up) >= 20 ? true : undefined), 30_000);
    load.stop();
    await load.done;
    await monitor.stop();

    const records = load.records;
    const whileDown = records.filter((r) => r.startedAt >= down && r.endedAt <= starting);
    const serverAnswers = records.filter((r) => r.outcome.kind === 'response');
    const unexpected = serverAnswers.filter((r) => !acknowledged(r) && !isRetryable503(r.outcome));

    // Retry failed writes with the same key and body: those cut off as the database went away
    // (whose transactions may or may not have committed) first, then a spread of the rest.
    const failed = records.filter((r) => !acknowledged(r)).sort((a, b) => a.startedAt - b.startedAt);
    const spread = failed.slice(RETRY_SAMPLE / 2).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / (RETRY_SAMPLE / 2))) === 0);
    const toRetry = [...failed.slice(0, RETRY_SAMPLE / 2), ...spread].slice(0, RETRY_SAMPLE);
    const retries: WriteRecord[] = [];
    const replays: WriteRecord[] = [];
    for (const original of toRetry) {
      const startedAt = Date.now();
      const outcome = await postEntry(client, original.spec);
      const retry = { spec: original.spec, startedAt, endedAt: Date.now(), outcome };
      retries.push(retry);
      if (acknowledged(retry)) {
        // Once more: now it must be a replay of the same entry.
        const again = await postEntry(client, original.spec);
        replays.push({ spec: original.spec, startedAt: Date.now(), endedAt: Date.now(), outcome: again });
      }
    }
    const retryProblems = retries.filter((r) => !acknowledged(r));
    const stuckClaims = retryProblems.filter((r) => r.outcome.kind === 'response' && r.outcome.status === 409 && r.outcome.json().code === 'idempotency_in_progress');

    // A key is held only by a live transaction (an advisory lock that dies with its connection),
    // so a 409 can only mean a request still running; a client honouring Retry-After gets through.
    if (stuckClaims.length > 0) await sleep(3_000);
    const lateRetries: WriteRecord[] = [];
    for (const original of stuckClaims) {
      const startedAt = Date.now();
      lateRetries.push({ spec: original.spec, startedAt, endedAt: Date.now(), outcome: await postEntry(client, original.spec) });
      const again = await postEntry(client, original.spec);
      replays.push({ spec: original.spec, startedAt: Date.now(), endedAt: Date.now(), outcome: again });
    }

    const stored = await storedByTag(cluster.url, run);
    const ledger = checkLedger([...records, ...retries, ...lateRetries, ...replays], stored);
    const acknowledgedBeforeRetry = new Set(records.filter(acknowledged).map((r) => r.spec.tag)).size;

    console.log(`[fault] PostgreSQL ${mode} stop/restart: ${JSON.stringify({
      writesAttempted: records.length,
      acknowledged: acknowledgedBeforeRetry,
      outcomes: tally(records),
      whileDown: { attempted: whileDown.length, outcomes: tally(whileDown) },
      retried: retries.length,
      retryOutcomes: tally(retries),
      replayOutcomes: tally(replays),
      stuckIdempotencyClaims: stuckClaims.length,
      lateRetryOutcomes: tally(lateRetries),
      acknowledgedAfterRetries: ledger.acknowledged,
      stored: ledger.stored,
      storedButNeverAcknowledged: ledger.storedUnacknowledged,
      lost: ledger.lost.length,
      duplicated: ledger.duplicated.length,
      stopTookMs: down - stopping,
      startTookMs: up - starting,
      readyAgainAfterStartMs: readyAgain - up,
      healthSamples: monitor.samples.length,
      totalMs: Date.now() - began,
    })}`);

    // While the database was down, writes got 503 problem+json with Retry-After (or failed client-side).
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((r) => isRetryable503(r.outcome)).length).toBeGreaterThan(0);
    expect(whileDown.filter(acknowledged).map((r) => r.spec.tag)).toEqual([]);
    // Never anything but 201 or a retryable 503: no 500s.
    expect(unexpected.map((r) => describeOutcome(r.outcome))).toEqual([]);

    // Readiness followed the database; liveness never wavered.
    const readyWhileDown = monitor.samples.filter((s) => s.at >= down && s.at + 1_000 <= starting);
    expect(readyWhileDown.length).toBeGreaterThan(0);
    for (const s of readyWhileDown) expect({ at: s.at - down, ready: isRetryable503(s.ready) ? 503 : describeOutcome(s.ready) }).toEqual({ at: s.at - down, ready: 503 });
    expect(readyAgain).toBeGreaterThanOrEqual(up);
    const liveFailures = monitor.samples.filter((s) => s.live.kind !== 'response' || s.live.status !== 200);
    expect(liveFailures.map((s) => describeOutcome(s.live))).toEqual([]);
    expect(server.hasExited()).toBe(false);

    // Writes succeed again after the restart.
    expect(acksSince(up)).toBeGreaterThanOrEqual(20);

    // A retry with the same key either records once or says the key is still held (409 with
    // Retry-After: 1); a retry a few seconds later records it; a second retry of a recorded one
    // replays it.
    for (const r of retryProblems) expect(describeOutcome(r.outcome)).toMatch(/^409 .*idempotency_in_progress/);
    for (const r of lateRetries) expect(describeOutcome(r.outcome)).toMatch(/^201 /);
    for (const r of replays) {
      expect(r.outcome.kind === 'response' && r.outcome.status).toBe(201);
      expect(r.outcome.kind === 'response' && r.outcome.headers['idempotent-replayed']).toBe('true');
    }

    // Every acknowledged write is stored exactly once (with the id it was answered with), and
    // nothing is stored twice.
    expect(ledger.lost).toEqual([]);
    expect(ledger.duplicated).toEqual([]);
    expect(ledger.acknowledged).toBeGreaterThan(0);
    expect(server.hasExited()).toBe(false);
  }, 240_000);
});
