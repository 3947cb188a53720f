import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { DEFAULT_CATEGORIES } from '../modules/communities/default-categories.js';
import { rebuildRollups } from '../modules/reports/rollup-rebuild.js';
import { cliLogger, parseFlags } from './cli.js';
import { progressBar } from './progress.js';

/**
 * `npm run seed:bulk -- --entries 10000000 [--communities 200] [--volunteers 500000] [--organizations 2000] [--years 5]`
 * Loads a city-sized ledger of approved entries straight into PostgreSQL with INSERT … SELECT
 * over generate_series (no rows travel through Node), then builds the day totals and report
 * rollups from it. Ids are derived from a per-run salt, so several seeds can share a database.
 * The region codes share the prefix 6103 (one city), so `regionCode=6103` selects the whole seed.
 */
const flags = parseFlags(process.argv.slice(2));
const entries = Number(flags.entries ?? 1_000_000);
const communities = Number(flags.communities ?? 200);
const volunteersPerCommunity = Math.max(1, Math.floor(Number(flags.volunteers ?? 500_000) / communities));
const organizationsPerCommunity = Math.max(1, Math.floor(Number(flags.organizations ?? 2_000) / communities));
const days = Math.round(365.25 * Number(flags.years ?? 5));
const salt = flags.salt ?? randomBytes(4).toString('hex');
const CHUNK = 100_000;
const SEED_KEY = '00000000-0000-7000-8000-00000000beef';

// Bulk statements run for minutes; the service's request-sized timeout does not apply here.
const config = loadConfig({ ...process.env, DB_STATEMENT_TIMEOUT_MS: '600000' });
const handle = await openDatabase(config, cliLogger());
const db = handle.db;
const C = communities;
const V = volunteersPerCommunity;
const K = organizationsPerCommunity;
const id = (kind: string, ...parts: Array<ReturnType<typeof sql.raw> | ReturnType<typeof sql>>) => sql`md5(${`${salt}:${kind}`} || ${sql.join(parts, sql` || '-' || `)})::uuid`;

try {
  await runMigrations(handle);
  process.stderr.write(`seeding ${entries.toLocaleString()} approved entries: ${C} communities × ${V} volunteers × ${K} organizations over ${days} days (salt ${salt})\n`);
  const setup = progressBar('people and organizations', 5);
  await db.execute(sql`
    insert into communities (id, name, region_code, population, households, volunteer_seq, registered_volunteers)
    select ${id('c', sql`c`)}, '社区 ' || ${salt} || '-' || c, '6103' || lpad((c % 100000000)::text, 8, '0'), 16000, 4900, ${V}, ${V}
    from generate_series(0, ${C - 1}) c
    on conflict do nothing`);
  setup.update(1);
  await db.execute(sql`
    insert into organizations (id, community_id, name, kind)
    select ${id('o', sql`c`, sql`k`)}, ${id('c', sql`c`)}, '组织 ' || c || '-' || k, 'volunteer_team'
    from generate_series(0, ${C - 1}) c, generate_series(0, ${K - 1}) k`);
  setup.update(2);
  await db.execute(sql`
    insert into service_categories (id, community_id, code, name, name_en, is_default)
    select ${id('k', sql`c`, sql`d.ord`)}, ${id('c', sql`c`)}, d.code, d.name, d.name_en, true
    from generate_series(0, ${C - 1}) c,
      unnest(${sql.param(DEFAULT_CATEGORIES.map((d) => d.code))}::text[], ${sql.param(DEFAULT_CATEGORIES.map((d) => d.name))}::text[], ${sql.param(DEFAULT_CATEGORIES.map((d) => d.nameEn))}::text[])
        with ordinality as d(code, name, name_en, ord)`);
  setup.update(3);
  await db.execute(sql`
    insert into volunteers (id, community_id, member_no, name, phone, political_status, in_service_party_member, workplace_organization_id)
    select ${id('v', sql`c`, sql`m`)}, ${id('c', sql`c`)}, m, '志愿者 ' || c || '-' || m, '13' || lpad((c * ${V} + m)::text, 9, '0'),
      case when m % 10 = 0 then 'party_member' else 'masses' end, m % 10 = 0, case when m % 10 = 0 then ${id('o', sql`c`, sql`(m % ${K})`)} end
    from generate_series(0, ${C - 1}) c, generate_series(1, ${V}) m`);
  setup.update(4);
  await db.execute(sql`
    insert into memberships (id, community_id, organization_id, volunteer_id)
    select gen_random_uuid(), ${id('c', sql`c`)}, ${id('o', sql`c`, sql`(m % ${K})`)}, ${id('v', sql`c`, sql`m`)}
    from generate_series(0, ${C - 1}) c, generate_series(1, ${V}) m`);
  setup.done();

  // Entry i: community i % C; within it the j-th entry goes to volunteer (j * 48271) % V (a permutation),
  // in round r = j / V on day (r * 89 + volunteer * 7) % days: distinct days per volunteer, so no day
  // ever nears the 1440-minute cap. Minutes 15–360; every category and month gets traffic.
  const bar = progressBar('entries', entries);
  const prefix = randomBytes(2).toString('hex');
  for (let lo = 0; lo < entries; lo += CHUNK) {
    const hi = Math.min(entries, lo + CHUNK);
    await db.execute(sql`
      insert into service_entries (id, community_id, volunteer_id, organization_id, category_id, served_on, minutes,
        status, source, recorded_by_key_id, approved_by_key_id, approved_at)
      select (${`0199${prefix}`} || lpad(to_hex(i), 24, '0'))::uuid, ${id('c', sql`(i % ${C})`)},
        ${id('v', sql`(i % ${C})`, sql`(1 + ((i / ${C}) * 48271) % ${V})`)},
        ${id('o', sql`(i % ${C})`, sql`((1 + ((i / ${C}) * 48271) % ${V}) % ${K})`)},
        ${id('k', sql`(i % ${C})`, sql`(1 + (i * 7) % 14)`)},
        current_date - 1 - ((((i / ${C}) / ${V}) * 89 + (1 + ((i / ${C}) * 48271) % ${V}) * 7) % ${days})::int,
        15 + (i * 104729) % 346, 'approved', 'import', ${SEED_KEY}::uuid, ${SEED_KEY}::uuid, now()
      from generate_series(${lo}::bigint, ${hi - 1}::bigint) i`);
    bar.update(hi);
  }
  bar.done();

  const totals = progressBar('day totals and report rollups', 3);
  await db.execute(sql`
    insert into volunteer_day_minutes (community_id, volunteer_id, served_on, minutes)
    select community_id, volunteer_id, served_on, sum(minutes) from service_entries
    where status in ('pending', 'approved') and recorded_by_key_id = ${SEED_KEY}::uuid
    group by 1, 2, 3
    on conflict (volunteer_id, served_on) do update set minutes = volunteer_day_minutes.minutes + excluded.minutes`);
  totals.update(1);
  await rebuildRollups(db);
  totals.update(2);
  // Sets the visibility map too, so report queries run as index-only scans.
  await db.execute(sql`vacuum analyze`);
  totals.done();
  process.stdout.write(`seeded ${entries} entries; report on the whole seed with regionCode=6103\n`);
} finally {
  await handle.close();
}
