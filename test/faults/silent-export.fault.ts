/**
 * A CSV export streams its rows through a cursor (src/db/stream.ts) on a connection of its own,
 * which the query watchdog times fetch by fetch. When PostgreSQL stops answering (postmaster and
 * backends SIGSTOPped, as in silent-server.fault.ts) the export must end soon after
 * DB_STATEMENT_TIMEOUT_MS + 1 s: as a 503 problem when nothing was sent yet, as a broken-off
 * response when rows were (never as a file that looks complete), and never by hanging. The next
 * export, once the server answers again, is whole. And an export whose reader stops reading
 * (socket left open) gives its connection back after EXPORT_READER_TIMEOUT_MS: with a pool of
 * one, the service answers other requests again.
 */
import http from 'node:http';
import pg from 'pg';
import { ADMIN_KEY, describeOutcome, isRetryable503, seed, sleep, useFaultRig, whileSilent, within } from './harness.js';

const STATEMENT_TIMEOUT_MS = 3_000;
/**
 * The watchdog's limit (the statement timeout + 1 s), a quarter of it between its looks, and slack
 * for a loaded machine. The timeout is longer than silent-server's so that the export's first
 * fetch, which groups and sorts ~140,000 rows, never meets it on a slow minute.
 */
const ANSWER_WITHIN_MS = 7_000;

/**
 * GETs `path`, stops reading after the first chunk (the service's writes then wait on the socket,
 * and its cursor on them), silences PostgreSQL, and reads on: how the response ended, and when
 * after the silence began.
 */
function exportCutMidway(port: number, path: string, url: string): Promise<{ ended: string; msAfterSilence: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${ADMIN_KEY}` } }, (res) => {
      let bytes = 0;
      let silentSince = 0;
      const settle = (ended: string) => resolve({ ended, msAfterSilence: Date.now() - silentSince, bytes });
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.once('data', () => {
        res.pause();
        void sleep(300).then(() => whileSilent(url, async () => {
          silentSince = Date.now();
          res.resume();
          await within(new Promise((done) => { res.once('close', done); }), 15_000, undefined);
        }));
      });
      res.on('end', () => settle(res.complete ? 'complete' : 'incomplete'));
      res.on('error', (err: NodeJS.ErrnoException) => settle(`error ${err.code ?? err.message}`));
      res.on('aborted', () => settle('aborted'));
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('client timeout')));
  });
}

/** Opens an export and stops reading after its first chunk, keeping the socket open: a client gone quiet. */
function exportLeftUnread(port: number, path: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${ADMIN_KEY}` } }, (res) => {
      res.once('data', () => { res.pause(); resolve(req); });
    });
    req.on('error', reject);
  });
}

/** Longer than the watchdog's limit, so that the silenced exports above end by the watchdog, not by this. */
const READER_TIMEOUT_MS = 6_000;

describe('a CSV export when PostgreSQL stops answering', () => {
  const rig = useFaultRig();

  test('ends within the watchdog\'s limit, as a 503 before any row and broken off after some; the next export is whole; a reader gone quiet does not keep the connection', async () => {
    const run = `export-${Date.now()}`;
    // One connection, so the export's cursor meets the stopped backend; keys cached, so its first query is the cursor's.
    const { cluster, server, client } = await rig.start({
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS), DB_POOL_MAX: '1', AUTH_CACHE_TTL_MS: '60000', EXPORT_READER_TIMEOUT_MS: String(READER_TIMEOUT_MS),
    });
    const fixture = await seed(client, run);
    // Fifty more categories, then every category on every day from 2021 to yesterday, approved:
    // ~140,000 rows by category and day (~13 MB of CSV, more than the sockets between server and
    // client hold), read from the ledger through the cursor (not from the monthly rollups).
    const db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
    try {
      const extra = await db.query<{ id: string }>(`
        insert into service_categories (id, community_id, code, name)
        select gen_random_uuid(), $1, 'extra_' || g, '额外类别 ' || g from generate_series(1, 50) as g returning id`, [fixture.communityId]);
      await db.query(`
        insert into service_entries (id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, status, source, recorded_by_key_id)
        select gen_random_uuid(), $1, $2, $3, c, d::date, 10, 'approved', 'import', $2 from unnest($4::uuid[]) as c, generate_series(date '2021-01-01', date '2030-12-31' - 1, '1 day') as d
        where d::date <= current_date - 1`, [fixture.communityId, fixture.volunteerId, fixture.organizationId, [...fixture.categoryIds, ...extra.rows.map((r) => r.id)]]);
    } finally {
      await db.end();
    }
    const path = `/v1/reports/hours?communityId=${fixture.communityId}&groupBy=category,day&from=2021-01-01&to=2030-12-31&format=csv`;
    const whole = await client.request('GET', path, { timeoutMs: 60_000 });
    if (whole.kind !== 'response' || whole.status !== 200) throw new Error(`${describeOutcome(whole)}\n${server.output().slice(-3000)}`);

    const before = await whileSilent(cluster.url, async () => {
      const started = Date.now();
      const outcome = await client.request('GET', path, { timeoutMs: 15_000 });
      return { answer: describeOutcome(outcome).slice(0, 100), ms: Date.now() - started, retryable: isRetryable503(outcome) };
    });
    const midway = await exportCutMidway(server.port, path, cluster.url);
    const after = await client.request('GET', path, { timeoutMs: 15_000 });
    // A reader gone quiet holds the pool's only connection until the reader timeout gives it back.
    const unread = await exportLeftUnread(server.port, path);
    await sleep(READER_TIMEOUT_MS + 1_000);
    const meanwhile = await client.request('GET', `/v1/communities/${fixture.communityId}`, { timeoutMs: 15_000 });
    unread.destroy();
    const wholeBytes = Buffer.byteLength(whole.text);
    console.log(`[fault] silent export: ${JSON.stringify({ wholeBytes, before, midway, after: describeOutcome(after).slice(0, 40), meanwhile: describeOutcome(meanwhile).slice(0, 40) })}`);

    expect(before.retryable).toBe(true);
    expect(before.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(midway.ended).not.toBe('complete');
    expect(midway.bytes).toBeGreaterThan(0);
    expect(midway.bytes).toBeLessThan(wholeBytes);
    expect(midway.msAfterSilence).toBeLessThan(ANSWER_WITHIN_MS);
    expect(after.kind === 'response' && after.status).toBe(200);
    expect(after.kind === 'response' && after.text).toBe(whole.text);
    expect(meanwhile.kind === 'response' && meanwhile.status).toBe(200);
  });
});
