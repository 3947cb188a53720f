import { sql } from 'drizzle-orm';
import { WHOLE_COMMUNITY } from '../../src/db/schema/index.js';
import { createTenant, registerMember } from '../helpers/factories.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { categories, record, report } from './report-fixtures.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** The hours report twice: from the rollups (whole month) and from the entries (a range that is not month-aligned). */
async function bothWays(key: string, communityId: string, groupBy = 'month') {
  const rollups = await report(t.app, key, `/v1/reports/hours?communityId=${communityId}&groupBy=${groupBy}&from=2026-02-01&to=2026-02-28`);
  const entries = await report(t.app, key, `/v1/reports/hours?communityId=${communityId}&groupBy=${groupBy}&from=2026-02-01&to=2026-02-27`);
  return { rollups, entries };
}

async function storedRollups(communityId: string): Promise<{ minutes: number; entries: number }> {
  const result = await t.app.db.execute(sql`
    select coalesce(sum(minutes), 0)::bigint as minutes, coalesce(sum(entries), 0)::bigint as entries from volunteer_month_bitmaps
    where organization_id = ${WHOLE_COMMUNITY}::uuid and community_id = ${communityId}::uuid`);
  const [row] = (result as unknown as { rows: Array<{ minutes: string | number; entries: string | number }> }).rows;
  return { minutes: Number(row!.minutes), entries: Number(row!.entries) };
}

describe('rollups stay equal to the ledger', () => {
  test('approvals arriving at the same time in one community, organization and month all count their volunteer', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const cats = Object.values(await categories(t.app, t.adminKey, tenant.community.id));
    const pending = [];
    // One community, organization and month: every approval updates the same two rollup cells at once.
    for (let i = 0; i < 8; i += 1) {
      const volunteer = await registerMember(t.app, tenant.communityAdminKey, tenant.community.id, tenant.organization.id);
      pending.push(await record(t.app, tenant.coordinatorKey, { volunteerId: volunteer.id, organizationId: tenant.organization.id, categoryId: cats[i]!.id, servedOn: `2026-02-${String(10 + i)}`, minutes: 30 + i }));
    }
    const answers = await Promise.all(pending.map((e) => call(t.app, tenant.coordinatorKey, 'POST', `/v1/service-entries/${e.id}/approve`)));
    expect(answers.map((a) => a.statusCode)).toEqual(pending.map(() => 200));
    const { rollups, entries } = await bothWays(tenant.reporterKey, tenant.community.id);
    expect(entries.totals).toEqual({ minutes: 268, hours: 4.47, entries: 8, volunteers: 8 });
    expect(rollups).toEqual(entries);
    const byOrganization = await bothWays(tenant.reporterKey, tenant.community.id, 'organization');
    expect(byOrganization.rollups.rows).toEqual([expect.objectContaining({ organizationId: tenant.organization.id, minutes: 268, volunteers: 8 })]);
    expect(byOrganization.rollups).toEqual(byOrganization.entries);
    expect(await storedRollups(tenant.community.id)).toEqual({ minutes: 268, entries: 8 });
  });

  test('voiding one of a volunteer\'s two entries in a month keeps the volunteer active; voiding both removes them', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const categoryId = (await categories(t.app, t.adminKey, tenant.community.id)).home_repair!.id;
    const volunteer = await registerMember(t.app, tenant.communityAdminKey, tenant.community.id, tenant.organization.id);
    const ids: string[] = [];
    for (const [servedOn, minutes] of [['2026-02-03', 40], ['2026-02-20', 50]] as const) {
      const entry = await record(t.app, tenant.coordinatorKey, { volunteerId: volunteer.id, organizationId: tenant.organization.id, categoryId, servedOn, minutes });
      expect((await call(t.app, tenant.coordinatorKey, 'POST', `/v1/service-entries/${entry.id}/approve`)).statusCode).toBe(200);
      ids.push(entry.id);
    }
    const voidEntry = async (id: string) => expect((await call(t.app, tenant.coordinatorKey, 'POST', `/v1/service-entries/${id}/void`, { reason: 'recorded twice' })).statusCode).toBe(200);
    await voidEntry(ids[0]!);
    let both = await bothWays(tenant.reporterKey, tenant.community.id);
    expect(both.rollups.totals).toEqual({ minutes: 50, hours: 0.83, entries: 1, volunteers: 1 });
    expect(both.rollups).toEqual(both.entries);
    await voidEntry(ids[1]!);
    both = await bothWays(tenant.reporterKey, tenant.community.id);
    expect(both.rollups).toEqual({ rows: [], totals: { minutes: 0, hours: 0, entries: 0, volunteers: 0 } });
    expect(both.entries).toEqual(both.rollups);
    expect(await storedRollups(tenant.community.id)).toEqual({ minutes: 0, entries: 0 });
  });
});
