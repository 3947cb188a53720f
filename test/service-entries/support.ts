import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { queryRows } from '../../src/db/raw.js';
import { dateIn } from '../../src/lib/time.js';
import { createLedgerTenant } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { call, type Response } from '../helpers/test-app.js';

export type Ledger = Awaited<ReturnType<typeof createLedgerTenant>>;
export type Entry = Record<string, any>;

export const ENTRIES = '/v1/service-entries';
export const BATCH = '/v1/service-entries/batch';
/** A well-formed id that names nothing. */
export const MISSING_ID = '01900000-0000-7000-8000-000000000000';

/** The calendar date `days` before today in `timezone` (after it, for negative `days`). */
export function daysAgo(days: number, timezone = 'Asia/Shanghai'): string {
  const date = new Date(`${dateIn(timezone)}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

/** An RFC 3339 instant at `hhmm` on `servedOn` with the given UTC offset (Shanghai's by default). */
export const at = (servedOn: string, hhmm: string, offset = '+08:00'): string => `${servedOn}T${hhmm}:00${offset}`;

/** A valid body for the ledger tenant's volunteer and organization, three days ago, 60 minutes. */
export function entryBody(l: Ledger, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    volunteerId: l.volunteer.id,
    organizationId: l.organization.id,
    categoryId: l.categoryByCode.environment_health,
    servedOn: daysAgo(3),
    minutes: 60,
    ...overrides,
  };
}

export const record = (app: FastifyInstance, key: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  call(app, key, 'POST', ENTRIES, body, headers);

/** The names of the statements `work` prepared (every statement of the ledger's writes is named). */
export async function statementsOf(app: FastifyInstance, work: () => Promise<unknown>): Promise<string[]> {
  type Sessions = { prepareQuery(...args: unknown[]): unknown };
  const sessions = Object.getPrototypeOf((app.db as unknown as { session: object }).session) as Sessions;
  const prepare = sessions.prepareQuery;
  const names: string[] = [];
  sessions.prepareQuery = function watched(this: unknown, ...args: unknown[]) {
    if (typeof args[2] === 'string') names.push(args[2]);
    return prepare.apply(this, args);
  };
  try {
    await work();
  } finally {
    sessions.prepareQuery = prepare;
  }
  return names;
}

/** Records one entry and insists it was stored. */
export async function recorded(app: FastifyInstance, key: string, body: unknown): Promise<Entry> {
  const res = await record(app, key, body);
  if (res.statusCode !== 201) throw new Error(`record: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** approve, reject or void; reject and void carry a reason. */
export function act(app: FastifyInstance, key: string, id: string, action: 'approve' | 'reject' | 'void', reason = 'checked by hand'): Promise<Response> {
  return call(app, key, 'POST', `${ENTRIES}/${id}/${action}`, action === 'approve' ? undefined : { reason });
}

/** Every entry a key can list under `query`, following the cursor to the last page. */
export async function listAll(app: FastifyInstance, key: string, query: string): Promise<Entry[]> {
  return (await collectPages(app, key, `${ENTRIES}?limit=500&${query}`, 100)).flat();
}

/** How many entries a community holds, as its admin sees them: the witness that a refused write stored nothing. */
export async function countEntries(app: FastifyInstance, key: string, communityId: string): Promise<number> {
  return (await listAll(app, key, `communityId=${communityId}`)).length;
}

/** The counted minutes the database keeps per volunteer-day, `volunteerId|servedOn` → minutes. */
export async function dayMinutesRows(app: FastifyInstance, communityId: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ volunteerId: string; servedOn: string; minutes: number }>(app.db, sql`
    select volunteer_id as "volunteerId", served_on::text as "servedOn", minutes from volunteer_day_minutes where community_id = ${communityId}::uuid`);
  return new Map(rows.map((r) => [`${r.volunteerId}|${r.servedOn}`, Number(r.minutes)]));
}

/** Pending plus approved minutes per volunteer-day, summed from the listed entries. */
export function countedByDay(entries: readonly Entry[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const e of entries) {
    if (e.status !== 'pending' && e.status !== 'approved') continue;
    const key = `${e.volunteerId}|${e.servedOn}`;
    sums.set(key, (sums.get(key) ?? 0) + e.minutes);
  }
  return sums;
}

export { createKeyWithId } from '../helpers/factories.js';
export { problemFields as fieldsOf } from '../helpers/problems.js';
