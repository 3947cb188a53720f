import { sql } from 'drizzle-orm';
import type { Executor } from '../../src/db/client.js';
import { queryRows } from '../../src/db/raw.js';
import { inTransaction } from '../../src/lib/transaction.js';
import { listAuditEvents } from '../../src/modules/audit/audit-repository.js';
import { changesStatement, listStatement } from '../../src/modules/service-entries/entry-repository.js';
import { listVolunteers } from '../../src/modules/volunteers/volunteer-repository.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/*
 * A list pages by id within a scope. These tests shadow the real table with a temporary one of
 * the same shape (indexes included) holding a skewed ledger: 3,000 rows of an old scope, then 60
 * of a new one. Walking the primary key in id order and filtering on the scope, a page of the new
 * scope reads past all 3,000; walking the (scope, id) index it reads only its own rows. The plan
 * must be the second whatever the statistics say: a generic plan's (each scope is half the table)
 * or statistics taken before the new scope existed (it looks like one row, so any index that finds
 * it looks as good, then its rows are sorted).
 */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const OLD = '00000000-0000-4000-8000-00000000000a';
const NEW = '00000000-0000-4000-8000-00000000000b';
const OLD_ROWS = 3000;

class RolledBack extends Error {}

type Statistics = 'current' | 'stale';

/** Runs `work` in a transaction that sees `table` as a skewed temporary copy, then rolls it all back. */
async function withSkewedShadow(table: string, fill: (scope: string, first: number, count: number) => string, statistics: Statistics, work: (tx: Executor) => Promise<void>): Promise<void> {
  await inTransaction(t.app.db, async (tx) => {
    await tx.execute(sql.raw(`create temporary table ${table} (like public.${table} including defaults including indexes) on commit drop`));
    await tx.execute(sql.raw(fill(OLD, 1, OLD_ROWS)));
    if (statistics === 'stale') await tx.execute(sql.raw(`analyze pg_temp.${table}`));
    await tx.execute(sql.raw(fill(NEW, OLD_ROWS + 1, 60)));
    if (statistics === 'current') await tx.execute(sql.raw(`analyze pg_temp.${table}`));
    await work(tx);
    throw new RolledBack();
  }).catch((err) => { if (!(err instanceof RolledBack)) throw err; });
}

/** Ids that sort in insertion order, as UUIDv7 do. */
const idOf = (n: string) => `('00000001-0000-7000-8000-' || lpad((${n})::text, 12, '0'))::uuid`;

type PlanNode = { 'Node Type': string; 'Index Cond'?: string; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * Prepares `query`, executes it through EXPLAIN ANALYZE with `values` and answers the plan's
 * nodes: by default as a generic plan (the one that ignores the values, which a named statement
 * gets after five runs) with current statistics, as a plan for the values with stale ones.
 */
async function explain(tx: Executor, query: { sql: string }, values: string[], statistics: Statistics, plan = statistics === 'current' ? 'generic' : 'custom'): Promise<PlanNode[]> {
  await tx.execute(sql.raw(`set local plan_cache_mode = force_${plan}_plan`));
  await tx.execute(sql.raw(`prepare page_plan as ${query.sql}`));
  const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(tx, sql.raw(`explain (analyze, format json) execute page_plan(${values.map((v) => `'${v}'`).join(', ')})`));
  const text = row!['QUERY PLAN'];
  const [root] = (typeof text === 'string' ? JSON.parse(text) : text) as Array<{ Plan: PlanNode }>;
  await tx.execute(sql.raw('deallocate page_plan'));
  return nodesOf(root!.Plan);
}

const rowsRemoved = (nodes: PlanNode[]): number => nodes.reduce((sum, node) => sum + (node['Rows Removed by Filter'] ?? 0), 0);
/** What each index scan of the plan bounds its walk by (the copy's indexes have generated names). */
const indexBounds = (nodes: PlanNode[]): string[] => nodes.flatMap((node) => (node['Index Cond'] ? [node['Index Cond']] : []));

describe('list pages walk their scope\'s index, not the whole table in id order', () => {
  const entries = (scope: string, first: number, count: number) => `
    insert into pg_temp.service_entries (id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, status, source, recorded_by_key_id)
    select ${idOf('g')}, '${scope}', gen_random_uuid(), '${scope}', gen_random_uuid(), date '2026-01-01', 5, 'pending', 'import', gen_random_uuid()
    from generate_series(${first}, ${first + count - 1}) as g`;

  // The page as the service prepares it (a named statement), as a coordinator (organization and community) or a community admin lists.
  test.each([
    ['organizationId', 'current', ['organizationId'], 'organization_id'],
    ['communityId', 'current', ['communityId'], 'community_id'],
    ['communityId and organizationId', 'stale', ['communityId', 'organizationId'], 'organization_id'],
    ['communityId', 'stale', ['communityId'], 'community_id'],
  ] as const)('GET /v1/service-entries by %s, %s statistics', async (_, statistics, filters, column) => {
    await withSkewedShadow('service_entries', entries, statistics, async (tx) => {
      const query = listStatement(t.app.db, filters).toSQL();
      const values = query.params.map((p) => ((p as { name?: string }).name === 'limit' ? '51' : NEW));
      const nodes = await explain(tx, query, values, statistics);
      expect(indexBounds(nodes)).toEqual([expect.stringContaining(`(${column} >=`)]);
      expect(rowsRemoved(nodes)).toBe(0);
      expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
    });
  });

  // A sync's poll: one community whose 3,000 old entries did not change and 60 new ones that did.
  const changed = (scope: string, first: number, count: number) => `
    insert into pg_temp.service_entries (id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, status, source, recorded_by_key_id, updated_at)
    select ${idOf('g')}, '${OLD}', gen_random_uuid(), '${scope}', gen_random_uuid(), date '2026-01-01', 5, 'pending', 'import', gen_random_uuid(),
      now() - interval '${scope === OLD ? '30 days' : '1 minute'}'
    from generate_series(${first}, ${first + count - 1}) as g`;

  test('GET /v1/service-entries changed since the last poll fetches the changed entries, not the whole community', async () => {
    await withSkewedShadow('service_entries', changed, 'current', async (tx) => {
      const filter = { communityId: OLD, updatedSince: new Date(Date.now() - 3_600_000), limit: 50 };
      const query = changesStatement(tx, filter, ['communityId', 'updatedSince']).toSQL();
      const nodes = await explain(tx, query, query.params.map((p) => (p instanceof Date ? p.toISOString() : String(p))), 'current', 'custom');
      expect(rowsRemoved(nodes)).toBe(0);
      expect(indexBounds(nodes)).toEqual([expect.stringContaining('updated_at >=')]);
    });
  });

  const events = (scope: string, first: number, count: number) => `
    insert into pg_temp.audit_events (id, community_id, actor_key_id, action, entity_type, entity_id, request_id)
    select ${idOf('g')}, '${scope}', gen_random_uuid(), 'service_entry.recorded', 'service_entry', '${scope}', 'req'
    from generate_series(${first}, ${first + count - 1}) as g`;

  test.each([
    ['community', 'current', { communityId: NEW }, 'community_id'],
    ['entity', 'current', { entityType: 'service_entry', entityId: NEW }, 'entity_id'],
    ['community and entity', 'stale', { communityId: NEW, entityType: 'service_entry', entityId: NEW }, 'entity_id'],
    ['community', 'stale', { communityId: NEW }, 'community_id'],
  ] as const)('GET /v1/audit-events by %s, %s statistics', async (_, statistics, filter, column) => {
    await withSkewedShadow('audit_events', events, statistics, async (tx) => {
      const query = listAuditEvents(tx, { ...filter, limit: 50 }).toSQL();
      const nodes = await explain(tx, query, query.params.map(String), statistics);
      expect(indexBounds(nodes)).toEqual([expect.stringContaining(`(${column} >=`)]);
      expect(rowsRemoved(nodes)).toBe(0);
      expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
    });
  });

  const volunteers = (scope: string, first: number, count: number) => `
    insert into pg_temp.volunteers (id, community_id, name, member_no)
    select ${idOf('g')}, '${scope}', 'v', g from generate_series(${first}, ${first + count - 1}) as g`;

  test.each(['current', 'stale'] as const)('GET /v1/volunteers by community, %s statistics', async (statistics) => {
    await withSkewedShadow('volunteers', volunteers, statistics, async (tx) => {
      const query = listVolunteers(tx, { communityId: NEW, limit: 50 }).toSQL();
      const nodes = await explain(tx, query, query.params.map(String), statistics);
      expect(indexBounds(nodes)).toEqual([expect.stringContaining('(community_id >=')]);
      expect(rowsRemoved(nodes)).toBe(0);
    });
  });
});
