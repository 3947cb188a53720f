import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { WHOLE_COMMUNITY } from '../../src/db/schema/index.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { expectCsvMatchesRows } from './csv-support.js';
import { ledgerSpec, querySpecs, type QuerySpec } from './ledger-arbitraries.js';
import { buildLedger, type Ledger } from './ledger-builder.js';
import { countedEntries, expectedHeader, expectedHoursReport, figuresOf, sortRows, type ModelEntry, type Row } from './ledger-model.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** Embedded PGlite is several times slower than a server; the property still runs, on fewer ledgers. */
const NUM_RUNS = Number(process.env.REPORTS_PROPERTY_RUNS) || (process.env.VH_TEST_DB === 'postgres' ? 10 : 4);

interface Resolved {
  key: string;
  query: string;
  /** The communities the report must cover, or 'not_found' when a filter names something outside them. */
  communityIds: string[] | 'not_found';
  organizationId: string | undefined;
  categoryId: string | undefined;
}

/** Turns a generated query into its URL and the scope the contract says it has. */
function resolve(ledger: Ledger, q: QuerySpec): Resolved {
  const community = ledger.communities[q.community % ledger.communities.length]!;
  const regionCode = q.region === 'all' ? ledger.prefix : q.region === 'one' ? community.regionCode.slice(0, ledger.prefix.length + 1) : `${ledger.prefix}9`;
  const filter = q.key === 'admin' && q.filter === 'none' ? 'region' : q.filter;
  const params = new URLSearchParams();
  if (filter === 'community') params.set('communityId', community.id);
  if (filter === 'region') params.set('regionCode', regionCode);
  let communityIds = ledger.communities
    .filter((c) => (filter === 'community' ? c.id === community.id : filter === 'region' ? c.regionCode.startsWith(regionCode) : true))
    .map((c) => c.id);
  const organization = q.organization === undefined ? undefined : ledger.organizations[q.organization % ledger.organizations.length]!;
  const categoryCommunity = q.category && ledger.communities[q.category.community % ledger.communities.length]!;
  const categoryId = q.category && categoryCommunity!.categories[q.category.index % categoryCommunity!.categories.length]!;
  if (q.from) params.set('from', q.from);
  if (q.to) params.set('to', q.to);
  if (organization) params.set('organizationId', organization.id);
  if (categoryId) params.set('categoryId', categoryId);
  const outside = (organization && !communityIds.includes(organization.communityId)) || (categoryCommunity && !communityIds.includes(categoryCommunity.id));
  if (outside) communityIds = [];
  return {
    key: q.key === 'admin' ? t.adminKey : ledger.reporterKey,
    query: params.toString(),
    communityIds: outside ? 'not_found' : communityIds,
    organizationId: organization?.id,
    categoryId,
  };
}

/** Volunteers of the communities, or only the organization's members when one organization is asked for. */
const registered = (communities: Ledger['communities'], organizationId: string | undefined): number =>
  communities.flatMap((c) => c.volunteers).filter((v) => !organizationId || v.organizations.includes(organizationId)).length;

async function checkQuery(ledger: Ledger, q: QuerySpec): Promise<void> {
  const r = resolve(ledger, q);
  const url = `/v1/reports/hours?groupBy=${q.groupBy.join(',')}&${r.query}`;
  const res = await call(t.app, r.key, 'GET', url);
  const summary = await call(t.app, r.key, 'GET', `/v1/reports/summary?${r.query}`);
  if (r.communityIds === 'not_found') {
    expectProblem(res, 404, 'not_found');
    expectProblem(summary, 404, 'not_found');
    return;
  }
  const counted = countedEntries(ledger.entries, { communityIds: r.communityIds, from: q.from, to: q.to, organizationId: r.organizationId, categoryId: r.categoryId });
  const expected = expectedHoursReport(counted, q.groupBy, ledger.labels);

  expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
  const report = res.json() as { rows: Row[]; totals: Record<string, number> };
  expect({ url, rows: sortRows(report.rows) }).toEqual({ url, rows: expected.rows });
  expect({ url, totals: report.totals }).toEqual({ url, totals: expected.totals });
  expect(report.totals.minutes).toBe(report.rows.reduce((sum, row) => sum + Number(row.minutes), 0));
  expect(report.totals.entries).toBe(report.rows.reduce((sum, row) => sum + Number(row.entries), 0));

  expectCsvMatchesRows(await call(t.app, r.key, 'GET', `${url}&format=csv`), expectedHeader(q.groupBy), report.rows);

  expect(summary.statusCode).toBe(200);
  const s = summary.json();
  const inScope = ledger.communities.filter((c) => (r.communityIds as string[]).includes(c.id));
  expect({ url, summary: s }).toMatchObject({
    url,
    summary: {
      volunteers: { registered: registered(inScope, r.organizationId), active: expected.totals.volunteers },
      entries: expected.totals.entries,
      minutes: expected.totals.minutes,
      hours: expected.totals.hours,
      organizations: r.organizationId ? 1 : inScope.reduce((n, c) => n + c.organizations.length, 0),
      loveCards: { active: 0 },
      agreements: { active: 0 },
      registrationRate: null,
    },
  });
  if (expected.totals.volunteers === 0) expect(s.averageHoursPerActiveVolunteer).toBeNull();
  else expect(Math.abs(s.averageHoursPerActiveVolunteer - expected.totals.minutes / 60 / expected.totals.volunteers)).toBeLessThanOrEqual(0.005 + 1e-9);
}

/** The whole-community rollup cells, summed per community, against the approved entries the test knows of. */
async function checkRollups(ledger: Ledger): Promise<void> {
  const ids = ledger.communities.map((c) => c.id);
  const result = await t.app.db.execute(sql`
    select community_id as "communityId", sum(minutes)::bigint as minutes, sum(entries)::bigint as entries
    from volunteer_month_bitmaps where organization_id = ${WHOLE_COMMUNITY}::uuid and community_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
    group by community_id`);
  const rows = (result as unknown as { rows: Array<{ communityId: string; minutes: string | number; entries: string | number }> }).rows;
  const stored = Object.fromEntries(ids.map((id) => {
    const row = rows.find((x) => x.communityId === id);
    return [id, { minutes: Number(row?.minutes ?? 0), entries: Number(row?.entries ?? 0) }];
  }));
  const expected = Object.fromEntries(ids.map((id) => {
    const f = figuresOf(ledger.entries.filter((e: ModelEntry) => e.communityId === id && e.status === 'approved'));
    return [id, { minutes: f.minutes, entries: f.entries }];
  }));
  expect(stored).toEqual(expected);
}

describe('hours and summary reports against a naive recomputation of random ledgers', () => {
  test('every grouping and filter agrees with the approved, not voided entries, in JSON, CSV and the summary; rollups equal the ledger', async () => {
    let queries = 0;
    await fc.assert(
      fc.asyncProperty(ledgerSpec, querySpecs, async (spec, specs) => {
        const ledger = await buildLedger(t.app, t.adminKey, spec);
        await checkRollups(ledger);
        for (const q of specs) {
          await checkQuery(ledger, q);
          queries += 1;
        }
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    expect(queries).toBeGreaterThanOrEqual(NUM_RUNS * 4);
  }, 240_000);
});
