import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { queryRows } from '../src/db/raw.js';
import { issueKey } from '../src/modules/api-keys/api-key-service.js';
import { cliLogger } from '../src/scripts/cli.js';
import { serviceNodeOptions } from './node-options.js';
import { rssMb, startProcess } from './processes.js';
import { ms, percentile, timeRepeatedly } from './stats.js';
import { setUpTenant } from './tenant.js';
import { writeLatencies } from './writes.js';

/**
 * `npm run bench:reports` (after `npm run seed:bulk`): p50/p99 of the report queries the city
 * relies on, over HTTP against the compiled service in its own process, and in the same run the
 * naive GROUP BY over the raw ledger that answers the same question; then a large CSV export,
 * with the service's own RSS sampled while it streams.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const handle = await openDatabase(config, cliLogger());
const db = handle.db;
execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
const service = await startProcess('dist/server.js', { LOG_LEVEL: 'warn', DB_STATEMENT_TIMEOUT_MS: '120000', RATE_LIMIT_REPORTS_PER_MINUTE: '1000000', RATE_LIMIT_PER_MINUTE: '1000000', NODE_OPTIONS: serviceNodeOptions() }, '/health/ready');
const base = service.base;
const serviceRssMb = (): number => rssMb(service.child.pid!);

try {
  const { secret } = await issueKey(db, { name: 'bench reporter', role: 'reporter' });
  const [community] = await queryRows<{ id: string; entries: number }>(db, sql`
    select c.id, (select count(*) from service_entries e where e.community_id = c.id and e.status = 'approved')::int as entries
    from communities c where c.region_code like '6103%' order by c.id limit 1`);
  const [{ count }] = await queryRows<{ count: number }>(db, sql`select count(*)::bigint as count from service_entries where status = 'approved'`) as [{ count: number }];
  if (!community) throw new Error('no seeded communities with regionCode 6103: run npm run seed:bulk first');

  // The last twelve whole months.
  const now = new Date();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).toISOString().slice(0, 10);
  const from = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${secret}` } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const naive = (where: ReturnType<typeof sql>, groupBy: ReturnType<typeof sql>) => async () => {
    await db.execute(sql`select ${groupBy}, to_char(served_on, 'YYYY-MM') as period, sum(minutes), count(*), count(distinct volunteer_id)
      from service_entries where status = 'approved' and ${where} and served_on between ${from}::date and ${to}::date group by 1, 2`);
    await db.execute(sql`select sum(minutes), count(*), count(distinct volunteer_id)
      from service_entries where status = 'approved' and ${where} and served_on between ${from}::date and ${to}::date`);
  };
  const city = sql`community_id in (select id from communities where region_code like '6103%')`;
  const cases: Array<{ name: string; target: number; run: () => Promise<unknown> }> = [
    { name: 'community: hours by organization × month, 1 year', target: 20, run: () => get(`/v1/reports/hours?communityId=${community.id}&groupBy=organization,month&from=${from}&to=${to}`) },
    { name: '  naive GROUP BY over raw entries', target: 0, run: naive(sql`community_id = ${community.id}::uuid`, sql`organization_id`) },
    { name: 'city (6103): hours by community × month, 1 year', target: 100, run: () => get(`/v1/reports/hours?regionCode=6103&groupBy=community,month&from=${from}&to=${to}`) },
    { name: '  naive GROUP BY over raw entries', target: 0, run: naive(city, sql`community_id`) },
    { name: 'city (6103): summary, 1 year', target: 100, run: () => get(`/v1/reports/summary?regionCode=6103&from=${from}&to=${to}`) },
  ];
  process.stdout.write(`${Number(count).toLocaleString()} approved entries in the database; one community has ${community.entries.toLocaleString()}; range ${from} … ${to}; ${RUNS} runs each\n\n`);
  process.stdout.write(`${'query'.padEnd(52)} ${'p50'.padStart(10)} ${'p99'.padStart(10)}  target p99\n`);
  for (const c of cases) {
    const samples = await timeRepeatedly(c.name.includes('naive') ? Math.min(RUNS, 10) : RUNS, 3, c.run);
    const p99 = percentile(samples, 99);
    const verdict = c.target ? `${c.target} ms ${p99 <= c.target ? 'met' : 'MISSED'}` : '';
    process.stdout.write(`${c.name.padEnd(52)} ${ms(percentile(samples, 50)).padStart(10)} ${ms(p99).padStart(10)}  ${verdict}\n`);
  }

  // Recording and approving on the city-sized ledger (rollups maintained in the approving transaction).
  const { secret: adminKey } = await issueKey(db, { name: 'bench admin', role: 'admin' });
  const writes = await writeLatencies(base, await setUpTenant(base, adminKey, 50));
  process.stdout.write(`\nOne request at a time, ${writes.count} each, on this ledger: POST /v1/service-entries p50 ${ms(writes.post.p50)} / p99 ${ms(writes.post.p99)}; `
    + `approve p50 ${ms(writes.approve.p50)} / p99 ${ms(writes.approve.p99)} (npm run bench prints the same on a small ledger)\n`);

  // A large CSV export through the cursor: rows counted, peak RSS growth sampled while it streams.
  const csvPath = `/v1/reports/hours?regionCode=6103&groupBy=volunteer,month&from=${from}&to=${to}&format=csv`;
  const rssBefore = serviceRssMb();
  let peak = rssBefore;
  const sampler = setInterval(() => { peak = Math.max(peak, serviceRssMb()); }, 20);
  const started = performance.now();
  const res = await fetch(`${base}${csvPath}`, { headers: { authorization: `Bearer ${secret}` } });
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) for (const byte of chunk) if (byte === 10) lines += 1;
  clearInterval(sampler);
  process.stdout.write(`\nCSV export (city, volunteer × month, 1 year): ${(lines - 1).toLocaleString()} rows in ${((performance.now() - started) / 1000).toFixed(1)} s; `
    + `the service's RSS ${rssBefore.toFixed(1)} MB before, peak ${peak.toFixed(1)} MB while streaming: growth ${(peak - rssBefore).toFixed(1)} MB (target ≤ 50 MB)\n`);
} finally {
  await service.stop();
  await handle.close();
}
