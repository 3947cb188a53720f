import { sql } from 'drizzle-orm';
import type { Executor } from '../../src/db/client.js';
import { WHOLE_COMMUNITY } from '../../src/db/schema/index.js';
import { checkRollups } from '../../src/modules/reports/rollup-check.js';
import { rebuildRollups } from '../../src/modules/reports/rollup-rebuild.js';
import { createTenant, registerMember } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait.js';
import { categories, record, report, transition } from './report-fixtures.js';

/*
 * `npm run verify:rollups [-- --repair] [--community <id>]`: checkRollups and rebuildRollups, on a
 * database that other test files use at the same time (as a repair runs beside a live service),
 * so each test checks and rebuilds its own community only.
 */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** A community with two approved entries in February 2026. */
async function approvedCommunity() {
  const tenant = await createTenant(t.app, t.adminKey);
  const cats = Object.values(await categories(t.app, t.adminKey, tenant.community.id));
  for (let i = 0; i < 2; i += 1) {
    const volunteer = await registerMember(t.app, tenant.communityAdminKey, tenant.community.id, tenant.organization.id);
    const entry = await record(t.app, tenant.coordinatorKey, { volunteerId: volunteer.id, organizationId: tenant.organization.id, categoryId: cats[i]!.id, servedOn: `2026-02-1${i}`, minutes: 40 + i });
    await transition(t.app, tenant.communityAdminKey, entry.id as string, 'approve');
  }
  return tenant;
}

const februaryTotals = async (key: string, communityId: string) => (await report(t.app, key, `/v1/reports/hours?communityId=${communityId}&groupBy=month&from=2026-02-01&to=2026-02-28`)).totals;

/** The community's whole-community cells as stored: minutes summed over months. */
async function storedMinutes(db: Executor, communityId: string): Promise<number> {
  const [row] = rowsOf<{ minutes: string | number }>(await db.execute(sql`
    select coalesce(sum(minutes), 0) as minutes from volunteer_month_bitmaps where organization_id = ${WHOLE_COMMUNITY}::uuid and community_id = ${communityId}::uuid`));
  return Number(row!.minutes);
}

const differencesOf = (communityId: string) => checkRollups(t.app.db, communityId);

describe('verifying and rebuilding the rollups', () => {
  test('a damaged cell is found, named and rebuilt from the ledger; reports answer as before the damage', async () => {
    const [tenant, other] = [await approvedCommunity(), await approvedCommunity()];
    const before = await februaryTotals(tenant.reporterKey, tenant.community.id);
    expect(before).toEqual({ minutes: 81, hours: 1.35, entries: 2, volunteers: 2 });
    expect(await differencesOf(tenant.community.id)).toEqual([]);

    const damage = (communityId: string) => t.app.db.execute(sql`
      update volunteer_month_bitmaps set minutes = minutes + 7 where community_id = ${communityId}::uuid and organization_id = ${WHOLE_COMMUNITY}::uuid`);
    const damaged = (communityId: string) => [{
      table: 'volunteer_month_bitmaps', key: `${communityId}|2026-02-01|${WHOLE_COMMUNITY}`,
      stored: '2 volunteers, 88 min / 2 entries', expected: '2 volunteers, 81 min / 2 entries',
    }];
    await damage(tenant.community.id);
    await damage(other.community.id);
    expect(await differencesOf(tenant.community.id)).toEqual(damaged(tenant.community.id));

    await rebuildRollups(t.app.db, tenant.community.id);
    expect(await differencesOf(tenant.community.id)).toEqual([]);
    expect(await februaryTotals(tenant.reporterKey, tenant.community.id)).toEqual(before);
    expect(await differencesOf(other.community.id)).toEqual(damaged(other.community.id)); // a community named rebuilds only itself
    await rebuildRollups(t.app.db, other.community.id);
    expect(await differencesOf(other.community.id)).toEqual([]);
  });

  test('a rebuild is one transaction: while it runs, reports read the rollups as they were', async () => {
    const tenant = await approvedCommunity();
    if (t.app.database.kind === 'postgres') {
      // Holds the rebuild after it has deleted the cells, where it reads the ledger (which joins
      // volunteers), and reads the cells meanwhile on another connection.
      let rebuilding: Promise<void> | undefined;
      let during: number | undefined;
      await t.app.db.transaction(async (tx) => {
        await tx.execute(sql`lock table volunteers in access exclusive mode`);
        rebuilding = rebuildRollups(t.app.db, tenant.community.id);
        rebuilding.catch(() => undefined); // awaited below, once the lock is given back
        await rebuildWaitsOnVolunteers(tx as unknown as Executor);
        during = await storedMinutes(t.app.db, tenant.community.id);
      });
      await rebuilding;
      expect(during).toBe(81);
    } else {
      await rebuildRollups(t.app.db, tenant.community.id); // embedded PGlite runs one transaction at a time: nothing can read mid-rebuild
    }
    expect(await storedMinutes(t.app.db, tenant.community.id)).toBe(81);
    expect(await differencesOf(tenant.community.id)).toEqual([]);
  });
});

/** Resolves once a session holding the rebuild's lock on the rollups waits for `tx`'s lock on volunteers; fails after 5 s. */
async function rebuildWaitsOnVolunteers(tx: Executor): Promise<void> {
  await waitFor('the rebuild to wait for volunteers while holding the rollups', async () => {
    const [row] = rowsOf<{ waiting: number }>(await tx.execute(sql`
      select count(*)::int as waiting from pg_locks w join pg_locks h on h.pid = w.pid
      where not w.granted and w.relation = 'volunteers'::regclass
        and h.granted and h.relation = 'volunteer_month_bitmaps'::regclass and h.mode = 'ExclusiveLock'`));
    return row!.waiting > 0 || undefined;
  }, 5_000, 20);
}
