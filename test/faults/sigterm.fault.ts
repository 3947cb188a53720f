/**
 * SIGTERM while writers are busy: requests already being served finish (and are stored), new
 * ones are refused (connection refused, reset, or 503), the process exits 0, and every write it
 * acknowledged is in the ledger exactly once.
 *
 * To have requests that are certainly in flight when the signal lands, a separate connection
 * holds `LOCK TABLE service_entries IN SHARE MODE` (reads pass, inserts wait): every writer ends
 * up blocked, inside its insert or behind one, SIGTERM is sent, and the lock is released a moment later.
 */
import {
  acknowledged, checkLedger, Client, describeOutcome, postEntry, seed, sleep, storedByTag, tally, useFaultRig,
  waitFor, within, writeLoad, writeSpec, type Outcome, type WriteRecord,
} from './harness.js';

const WRITERS = 4;

describe('SIGTERM during a write load', () => {
  const rig = useFaultRig();

  test('finishes in-flight writes, refuses new ones, exits 0 and keeps every acknowledged write once', async () => {
    const began = Date.now();
    const run = `sigterm-${began}`;
    const { cluster, server, client } = await rig.start({ RATE_LIMIT_PER_MINUTE: '1000000' });
    const fixture = await seed(client, run);

    let sigtermAt = Number.POSITIVE_INFINITY;
    // Writers go on after the signal until the server refuses them (client-side error or 503).
    const load = writeLoad(client, fixture, run, {
      writers: WRITERS,
      deadlineMs: 60_000,
      maxPerWriter: 5_000,
      shouldStop: (_w, last) => last.startedAt > sigtermAt && (last.outcome.kind === 'error' || last.outcome.status === 503),
    });
    await waitFor('20 acknowledged writes', async () => (load.records.filter(acknowledged).length >= 20 ? true : undefined), 30_000);

    // Block the inserts, so that every writer's current request stays in flight: inserts wait on
    // the lock (entries arriving together share a statement, so fewer backends than writers may
    // wait), and no write has finished for half a second.
    const locker = await rig.holdLock('lock table service_entries in share mode');
    let finished = -1;
    let finishedSince = Date.now();
    const blocked = await waitFor('every writer blocked behind the lock', async () => {
      const { rows } = await locker.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where application_name = 'volunteer-hours' and wait_event_type = 'Lock'");
      if (load.records.length !== finished) {
        finished = load.records.length;
        finishedSince = Date.now();
        return undefined;
      }
      return rows[0]!.n >= 1 && Date.now() - finishedSince >= 500 ? rows[0]!.n : undefined;
    }, 20_000);

    // A kept-alive connection that is idle when the signal lands.
    const idle = new Client(server.port);
    await idle.ok('GET', '/health/live', 200);

    sigtermAt = Date.now();
    process.kill(server.pid, 'SIGTERM');
    await sleep(500);

    // A new request now, on a new connection and on the idle kept-alive one: refused.
    const fresh = new Client(server.port, { keepAlive: false });
    const newRequests: WriteRecord[] = [];
    for (const [n, via] of [[1_000_001, fresh], [1_000_002, idle]] as const) {
      const spec = writeSpec(fixture, run, n);
      const startedAt = Date.now();
      newRequests.push({ spec, startedAt, endedAt: Date.now(), outcome: await postEntry(via, spec, 5_000) });
    }
    fresh.close();
    idle.close();
    // The process waits for the blocked requests instead of exiting under them.
    expect(server.hasExited()).toBe(false);

    await locker.query('commit');
    const released = Date.now();
    const exit = await within(server.exited, 30_000, 'still running');
    const exitedAt = Date.now();
    load.stop();
    await load.done;

    const records = load.records;
    const inFlight = records.filter((r) => r.startedAt < sigtermAt && r.endedAt > sigtermAt);
    const afterSignal = [...records.filter((r) => r.startedAt > sigtermAt + 200), ...newRequests];
    const refused = afterSignal.filter((r) => r.outcome.kind === 'error' || r.outcome.status === 503);
    const shutdown503 = afterSignal.map((r) => r.outcome).find((o): o is Extract<Outcome, { kind: 'response' }> => o.kind === 'response' && o.status === 503);
    const stored = await storedByTag(cluster.url, run);
    const ledger = checkLedger([...records, ...newRequests], stored);

    console.log(`[fault] SIGTERM during writes: ${JSON.stringify({
      writesAttempted: records.length + newRequests.length,
      acknowledged: ledger.acknowledged,
      stored: ledger.stored,
      storedButNeverAcknowledged: ledger.storedUnacknowledged,
      lost: ledger.lost.length,
      duplicated: ledger.duplicated.length,
      outcomes: tally(records),
      blockedAtSignal: blocked,
      inFlightAtSignal: { count: inFlight.length, outcomes: tally(inFlight) },
      afterSignal: { count: afterSignal.length, outcomes: tally(afterSignal) },
      newRequests: newRequests.map((r) => describeOutcome(r.outcome).slice(0, 80)),
      // What a request on a connection kept alive through the shutdown is told (Fastify's own 503).
      shutdown503: shutdown503 && {
        contentType: shutdown503.headers['content-type'],
        retryAfter: shutdown503.headers['retry-after'] ?? null,
        connection: shutdown503.headers.connection,
        body: shutdown503.text,
      },
      exit,
      exitAfterReleaseMs: exitedAt - released,
      totalMs: Date.now() - began,
    })}`);

    // In-flight requests finished, with their entries recorded.
    expect(inFlight.length).toBeGreaterThanOrEqual(WRITERS);
    expect(inFlight.filter((r) => !acknowledged(r)).map((r) => describeOutcome(r.outcome))).toEqual([]);
    // New requests were refused: connection refused / reset, or 503.
    expect(afterSignal.length).toBeGreaterThanOrEqual(2);
    expect(afterSignal.filter((r) => !refused.includes(r)).map((r) => describeOutcome(r.outcome))).toEqual([]);
    // Exit code 0, once the in-flight work was done.
    expect(exit).toEqual({ code: 0, signal: null });
    // Every acknowledged write is stored exactly once.
    expect(ledger.lost).toEqual([]);
    expect(ledger.duplicated).toEqual([]);
    expect(ledger.acknowledged).toBeGreaterThanOrEqual(20 + WRITERS);
  }, 240_000);
});
