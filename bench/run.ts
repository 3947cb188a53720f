import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { median } from './stats.js';
import { peakRssMb, pinSelf, startProcess, type Started } from './processes.js';
import { serviceNodeOptions } from './node-options.js';
import { durationBuckets, shareWithin } from './server-time.js';
import { setUpTenant, type Tenant } from './tenant.js';
import { writeLatencies } from './writes.js';

/**
 * `npm run bench` (DATABASE_URL must point at PostgreSQL): the service as its own process on CPU 0,
 * the load generator here on CPU 1, PostgreSQL wherever the OS puts it. Every figure is the median
 * of RUNS runs. Prints one table and writes bench/results/<date>.json and .md.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 3;
const CONNECTIONS = 32;
/** The route of the POST and list loads, as the service's /metrics names it. */
const ENTRIES = '/v1/service-entries';
const ADMIN = `vh_bench_admin_${'x'.repeat(24)}`;
const NODE_OPTIONS_FOR_SERVICE = serviceNodeOptions();
if (!process.env.DATABASE_URL) throw new Error('npm run bench needs DATABASE_URL (a PostgreSQL server)');

/**
 * Latencies in ms as the load generator saw them; p90 and max show whether a p99 is a slope or a
 * few stalls. `within10ms`: the share the service answered within 10 ms by its own clock (see
 * server-time.ts), for the service's loads only.
 */
interface Load { rps: number; p50: number; p90: number; p99: number; max: number; errors: number; within10ms?: number }

async function load(url: string, body: (i: number) => object | null, headers: (i: number) => Record<string, string>, method: 'GET' | 'POST' = 'POST', connections = CONNECTIONS, duration = DURATION): Promise<Load> {
  let counter = Math.floor(Math.random() * 1e9);
  const result = await autocannon({
    url, connections, duration, method,
    requests: [{
      setupRequest: (req) => {
        counter += 1;
        const payload = body(counter);
        return { ...req, headers: { ...req.headers, 'content-type': 'application/json', ...headers(counter) }, ...(payload ? { body: JSON.stringify(payload) } : {}) };
      },
    }],
  });
  const { p50, p90, p99, max } = result.latency;
  return { rps: result.requests.average, p50, p90, p99, max, errors: result.errors + result.non2xx + result.timeouts };
}

/** `load` on one of the service's routes, with the share of it the service answered within 10 ms by its own clock. */
async function timedLoad(base: string, method: 'GET' | 'POST', route: string, run: () => Promise<Load>): Promise<Load> {
  const before = await durationBuckets(base, method, route);
  const result = await run();
  return { ...result, within10ms: shareWithin(before, await durationBuckets(base, method, route), '0.01') };
}

/** The same entries for both; the floor's table also wants communityId, which the API derives itself. */
function entryBody(t: Tenant, withCommunity: boolean) {
  return (i: number) => ({
    volunteerId: t.volunteerIds[i % t.volunteerIds.length], organizationId: t.organizationId, categoryId: t.categoryIds[i % t.categoryIds.length],
    servedOn: t.days[Math.floor(i / t.volunteerIds.length) % t.days.length], minutes: 5,
    ...(withCommunity ? { communityId: t.communityId } : {}),
  });
}

const medianLoad = (runs: Load[]): Load => {
  const of = (field: keyof Load) => median(runs.map((r) => r[field] ?? NaN));
  const medians: Load = { rps: of('rps'), p50: of('p50'), p90: of('p90'), p99: of('p99'), max: of('max'), errors: of('errors') };
  return runs[0]?.within10ms === undefined ? medians : { ...medians, within10ms: of('within10ms') };
};

async function main(): Promise<void> {
  const pinned = pinSelf(1);
  // The service runs compiled, as the Dockerfile runs it: no TypeScript loader in its memory or startup.
  execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  // Budgets far above the load: the limiter still runs on every request, it just never says no.
  const limits = { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_REPORTS_PER_MINUTE: '1000000', RATE_LIMIT_BATCH_PER_MINUTE: '1000000' };
  // The service runs with the V8 flags it ships with; BENCH_NODE_OPTIONS replaces them (service only) to compare.
  const service: Started = await startProcess('dist/server.js', { BOOTSTRAP_ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn', AUTH_CACHE_TTL_MS: '5000', NODE_OPTIONS: NODE_OPTIONS_FOR_SERVICE, ...limits }, '/health/ready', 0);
  const floor: Started = await startProcess('bench/floor-server.ts', {}, '/entries', 0);
  const out: Record<string, unknown> = {};
  try {
    const t = await setUpTenant(service.base, ADMIN);
    const auth = (key: string) => (i: number) => ({ authorization: `Bearer ${key}`, 'idempotency-key': `bench-${process.pid}-${i}` });
    const post: Load[] = [];
    const bare: Load[] = [];
    const list: Load[] = [];
    const listAt8: Load[] = [];
    const bareList: Load[] = [];
    const bareListAt8: Load[] = [];
    const community: Load[] = [];
    const city: Load[] = [];
    const batch: number[] = [];
    const batchParallel: number[] = [];
    const batchKeyed: number[] = [];
    const listUrl = `${service.base}${ENTRIES}?organizationId=${t.organizationId}&limit=50`;
    const bareListUrl = `${floor.base}/entries?organizationId=${t.organizationId}&limit=50`;
    const reading = () => ({ authorization: `Bearer ${t.coordinatorKey}` });
    const communityUrl = `${service.base}/v1/reports/hours?communityId=${t.communityId}&groupBy=organization,month&from=${t.yearFrom}&to=${t.yearTo}`;
    const cityUrl = `${service.base}/v1/reports/summary?regionCode=${t.regionPrefix}&from=${t.yearFrom}&to=${t.yearTo}`;
    const reporting = () => ({ authorization: `Bearer ${t.reporterKey}` });
    // Unmeasured, so the first run does not time V8 compiling the write path: before it, setting up
    // the tenant had never recorded an entry (exploration: a cold service's POST p99 was 47 ms
    // where a warm one's was 15). The list pages likewise: setting up had never listed entries.
    await load(`${service.base}${ENTRIES}`, entryBody(t, false), auth(t.coordinatorKey), 'POST', CONNECTIONS, WARM_UP_SECONDS);
    await load(`${floor.base}/entries`, entryBody(t, true), () => ({}), 'POST', CONNECTIONS, WARM_UP_SECONDS);
    await load(listUrl, () => null, reading, 'GET', 8, WARM_UP_SECONDS);
    await load(bareListUrl, () => null, () => ({}), 'GET', 8, WARM_UP_SECONDS);
    for (let run = 0; run < RUNS; run += 1) {
      // Fresh statistics, as autovacuum would keep them in production: a brand-new table's planner
      // estimates (74 rows for 38,000) turned the list page into a bitmap scan plus a sort. And
      // the previous run's 30,000 imported entries vacuumed and checkpointed: left to autovacuum
      // and the checkpointer, their work landed in whichever measurement came next (the list's
      // PostgreSQL CPU per page was 493 us before a vacuum, 277 after).
      await settleDatabase();
      post.push(await timedLoad(service.base, 'POST', ENTRIES, () => load(`${service.base}${ENTRIES}`, entryBody(t, false), auth(t.coordinatorKey))));
      bare.push(await load(`${floor.base}/entries`, entryBody(t, true), () => ({})));
      list.push(await timedLoad(service.base, 'GET', ENTRIES, () => load(listUrl, () => null, reading, 'GET')));
      listAt8.push(await timedLoad(service.base, 'GET', ENTRIES, () => load(listUrl, () => null, reading, 'GET', 8)));
      bareList.push(await load(bareListUrl, () => null, () => ({}), 'GET'));
      bareListAt8.push(await load(bareListUrl, () => null, () => ({}), 'GET', 8));
      community.push(await timedLoad(service.base, 'GET', '/v1/reports/hours', () => load(communityUrl, () => null, reporting, 'GET', 8)));
      city.push(await timedLoad(service.base, 'GET', '/v1/reports/summary', () => load(cityUrl, () => null, reporting, 'GET', 8)));
      batch.push(await t.batchEntriesPerSecond(run * 3));
      batchParallel.push(await t.batchEntriesPerSecond(run * 3 + 1, 2));
      batchKeyed.push(await t.batchEntriesPerSecond(run * 3 + 2, 1, true));
    }
    const writes = await writeLatencies(service.base, t);
    const rss = peakRssMb(service.child.pid!);
    const embedded = await embeddedStartups();
    const postMedian = medianLoad(post);
    const floorMedian = medianLoad(bare);
    Object.assign(out, {
      date: new Date().toISOString(), runs: RUNS, secondsPerRun: DURATION, connections: CONNECTIONS,
      placement: `service and floor pinned to CPU 0 (taskset), load generator ${pinned ? 'pinned to CPU 1' : 'unpinned (no taskset)'}, PostgreSQL unpinned${NODE_OPTIONS_FOR_SERVICE ? `; service NODE_OPTIONS=${NODE_OPTIONS_FOR_SERVICE}` : ''}`,
      postEntry: postMedian, floor: floorMedian, ratio: postMedian.rps / floorMedian.rps,
      listPage: medianLoad(list), listPageAt8: medianLoad(listAt8), listFloor: medianLoad(bareList), listFloorAt8: medianLoad(bareListAt8), communityReport: medianLoad(community), citySummary: medianLoad(city),
      writes, batchEntriesPerSecond: median(batch), batchEntriesPerSecondTwoClients: median(batchParallel),
      batchEntriesPerSecondWithKeys: median(batchKeyed), peakRssMb: rss,
      startupMs: { server: service.readyMs, embedded: median(embedded) },
      // Every run's figures, whose medians are above: how far the machine drifted within this one.
      eachRun: { post, floor: bare, listPage: list, listPageAt8: listAt8, listFloor: bareList, listFloorAt8: bareListAt8, communityReport: community, citySummary: city, batch, batchParallel, batchKeyed, embeddedStartupMs: embedded },
    });
  } finally {
    await service.stop();
    await floor.stop();
  }
  report(out);
}

async function settleDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('vacuum (analyze)');
    await client.query('checkpoint').catch(() => undefined); // needs a superuser or pg_checkpoint; the run goes on without
  } finally {
    await client.end();
  }
}

async function embeddedStartups(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'vh-bench-embedded-'));
    const started = await startProcess('dist/server.js', { DATABASE_URL: '', DATA_DIR: dir, BOOTSTRAP_ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn', NODE_OPTIONS: NODE_OPTIONS_FOR_SERVICE }, '/health/ready', 0);
    times.push(started.readyMs);
    await started.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

function report(out: Record<string, any>): void {
  const f = (n: number) => n.toFixed(1);
  const share = (l: Load) => (l.within10ms === undefined ? '' : `${(100 * l.within10ms).toFixed(2)}%`);
  const row = (name: string, l: Load, target: string) => `| ${name} | ${Math.round(l.rps)} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.max)} | ${l.errors} | ${share(l)} | ${target} |`;
  const lines = [
    `Volunteer Hours benchmark, ${out.date} — median of ${out.runs} runs × ${out.secondsPerRun} s; ${out.placement}`,
    '',
    '| measurement | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | service ≤ 10 ms ¹ | target |',
    '|---|---|---|---|---|---|---|---|---|',
    row(`POST /v1/service-entries, every rule, ${out.connections} conns`, out.postEntry, 'p99 ≤ 15 ms'),
    row('floor: bare Fastify + pg INSERT', out.floor, ''),
    row(`GET /v1/service-entries (page of 50), ${out.connections} conns`, out.listPage, 'p99 ≤ 10 ms'),
    row('floor: bare Fastify + pg, the same page, 32 conns', out.listFloor, ''),
    row('GET /v1/service-entries (page of 50), 8 conns', out.listPageAt8, 'p99 ≤ 10 ms'),
    row('floor: bare Fastify + pg, the same page, 8 conns', out.listFloorAt8, ''),
    row('GET /v1/reports/hours community org×month (8 conns)', out.communityReport, 'p99 ≤ 20 ms'),
    row('GET /v1/reports/summary city (8 conns)', out.citySummary, 'p99 ≤ 100 ms'),
    '',
    `- POST / floor ratio: **${out.ratio.toFixed(2)}×** (target ≥ 0.4×, aim 0.6×); list page / floor: ${(out.listPage.rps / out.listFloor.rps).toFixed(2)}× at 32 conns, `
      + `${(out.listPageAt8.rps / out.listFloorAt8.rps).toFixed(2)}× at 8`,
    `- batch import (1,000-entry batches; target ≥ 20,000 entries/s): one client **${Math.round(out.batchEntriesPerSecond)} entries/s**, `
      + `two clients in parallel **${Math.round(out.batchEntriesPerSecondTwoClients)} entries/s**; one client sending each batch with an Idempotency-Key `
      + `**${Math.round(out.batchEntriesPerSecondWithKeys)} entries/s** (its whole answer is stored with it)`,
    `- one request at a time, ${out.writes.count} each: POST p50 ${f(out.writes.post.p50)} / p99 ${f(out.writes.post.p99)} ms, `
      + `approve p50 ${f(out.writes.approve.p50)} / p99 ${f(out.writes.approve.p99)} ms (compare with \`npm run bench:reports\` on the 10M-entry ledger)`,
    `- peak RSS of the service: **${f(out.peakRssMb)} MB** (target ≤ 150 MB)`,
    `- startup to ready: server ${f(out.startupMs.server)} ms, embedded ${f(out.startupMs.embedded)} ms`,
    '',
    '¹ The share of the load\'s requests the service answered within 10 ms by its own clock (its /metrics histogram, from reading '
      + 'a request to the end of its response). The load generator\'s latencies add the time before the service read a request.',
  ];
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const stamp = String(out.date).slice(0, 19).replace(/[:T]/g, '-');
  writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(join(dir, `${stamp}.md`), `${text}\n`);
}

await main();
