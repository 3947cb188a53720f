import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows, statement, type Slots } from '../../db/raw.js';
import { dateArray, int2Array, takesBinaryArrays, textArray, timestamptzArray, uuidArray } from '../../db/binary-arrays.js';
import { storeSql, type StoreValues } from '../idempotency/idempotency.js';
import { uuidv7 } from '../../lib/ids.js';
import type { RequestContext } from '../../lib/context.js';
import type { EntryRow } from './entry-view.js';

export interface NewEntry {
  communityId: string;
  volunteerId: string;
  organizationId: string;
  categoryId: string;
  servedOn: string;
  minutes: number;
  activityId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  location: string | null;
  description: string | null;
  status: 'pending' | 'approved';
  source: string;
}

/** Which timed items overlap a counted entry already in the ledger (excluding `exceptId`, the entry being corrected). */
export async function overlappingItems(db: Executor, items: ReadonlyArray<{ index: number; volunteerId: string; startedAt: string; endedAt: string }>, exceptId?: string): Promise<number[]> {
  if (items.length === 0) return [];
  const rows = await queryRows<{ idx: number }>(db, sql`
    select distinct i.idx from unnest(${array(items.map((i) => i.volunteerId))}::uuid[], ${array(items.map((i) => i.startedAt))}::timestamptz[],
                                      ${array(items.map((i) => i.endedAt))}::timestamptz[], ${array(items.map((i) => i.index))}::int[]) as i(volunteer_id, started_at, ended_at, idx)
    join service_entries e on e.volunteer_id = i.volunteer_id and e.status in ('pending', 'approved') and e.started_at is not null
      and tstzrange(e.started_at, e.ended_at) && tstzrange(i.started_at, i.ended_at)
      ${exceptId ? sql`and e.id <> ${exceptId}::uuid` : sql``}`);
  return rows.map((r) => r.idx);
}

/** The columns of an entry's row in a statement's input, with their types. */
const ENTRY_COLUMNS = [
  ['id', 'uuid'], ['audit_id', 'uuid'], ['community_id', 'uuid'], ['volunteer_id', 'uuid'], ['organization_id', 'uuid'], ['category_id', 'uuid'],
  ['served_on', 'date'], ['minutes', 'smallint'], ['activity_id', 'uuid'], ['started_at', 'timestamptz'], ['ended_at', 'timestamptz'],
  ['location', 'text'], ['description', 'text'], ['status', 'text'], ['source', 'text'], ['recorded_by', 'uuid'], ['request_id', 'text'],
] as const;
/** A column's parameter when the rows come as columns: named apart from the answer's (`status` is both). */
type ColumnParameter = `column_${typeof ENTRY_COLUMNS[number][0]}`;

/** The columns of an entry's row in a statement's JSON input (see `entryJsonRow`), for `json_to_recordset`. */
export const ENTRY_JSON_COLUMNS = ENTRY_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/**
 * `entry` with its new `id` as one row of a statement's JSON input, recorded by `ctx`: a batch's
 * insert and the known entries' statement (entry-one-statement.ts) take their rows alike. Empty
 * optional fields are left out (JSON.stringify drops undefined; `json_to_recordset` reads a
 * missing key as NULL): most entries have no times, activity, place or description, and five
 * nulls were a sixth of a 1,000-entry batch's JSON, which the service encodes and PostgreSQL parses twice.
 */
export function entryJsonRow(ctx: Pick<RequestContext, 'actor' | 'requestId'>, entry: NewEntry, id: string): Record<string, unknown> {
  return {
    id, audit_id: uuidv7(), community_id: entry.communityId, volunteer_id: entry.volunteerId, organization_id: entry.organizationId,
    category_id: entry.categoryId, served_on: entry.servedOn, minutes: entry.minutes, activity_id: entry.activityId ?? undefined,
    started_at: entry.startedAt ?? undefined, ended_at: entry.endedAt ?? undefined, location: entry.location ?? undefined,
    description: entry.description ?? undefined, status: entry.status, source: entry.source, recorded_by: ctx.actor.keyId, request_id: ctx.requestId,
  };
}

/**
 * The CTEs `entry_rows` (the query `rows`: an entry's columns, `id` and `audit_id` for its new
 * ids, `recorded_by` for the recording API key and `request_id`), `inserted` (the entries,
 * returning their ids) and `audited` (an event for each): one statement whatever the number of
 * entries, and each row may come from its own recorder and request. The events are made from
 * `entry_rows`, which holds exactly what `inserted` stores, with the same types: made from the
 * insert's RETURNING they had to be joined back to their rows by id, ~2 ms of a 1,000-entry batch.
 */
export function insertSql(rows: SQL): SQL {
  return sql`entry_rows as (
      ${rows}
    ), inserted as (
      insert into service_entries (id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, activity_id,
        started_at, ended_at, location, description, status, source, recorded_by_key_id, approved_by_key_id, approved_at)
      select id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, activity_id, started_at, ended_at,
        location, description, status, source, recorded_by,
        case when status = 'approved' then recorded_by end, case when status = 'approved' then now() end
      from entry_rows
      returning id
    ), audited as (
      insert into audit_events (id, community_id, actor_key_id, action, entity_type, entity_id, after, request_id)
      select r.audit_id, r.community_id, r.recorded_by, 'service_entry.recorded', 'service_entry', r.id,
        jsonb_build_object('volunteerId', r.volunteer_id, 'organizationId', r.organization_id,
          'categoryId', r.category_id, 'servedOn', r.served_on, 'minutes', r.minutes,
          'status', r.status, 'source', r.source, 'startedAt', r.started_at, 'endedAt', r.ended_at),
        r.request_id
      from entry_rows r
    )`;
}

/**
 * The entries as columns, one binary array each (see binary-arrays.ts), for `unnest`. Read by
 * PostgreSQL without parsing text, they cost a 1,000-entry batch's insert ~3 ms instead of the
 * 8–9 ms of the same rows as a JSON record set. node-postgres only (PGlite takes the JSON).
 */
function entryColumns(ctx: Pick<RequestContext, 'actor' | 'requestId'>, entries: readonly NewEntry[], ids: readonly string[]): Record<ColumnParameter, Buffer> {
  const column = <T>(encode: (values: T[]) => Buffer, pick: (entry: NewEntry, index: number) => T) => encode(entries.map(pick));
  return {
    column_id: column(uuidArray, (_, i) => ids[i]!), column_audit_id: column(uuidArray, () => uuidv7()), column_community_id: column(uuidArray, (e) => e.communityId),
    column_volunteer_id: column(uuidArray, (e) => e.volunteerId), column_organization_id: column(uuidArray, (e) => e.organizationId),
    column_category_id: column(uuidArray, (e) => e.categoryId), column_served_on: column(dateArray, (e) => e.servedOn), column_minutes: column(int2Array, (e) => e.minutes),
    column_activity_id: column(uuidArray, (e) => e.activityId), column_started_at: column(timestamptzArray, (e) => e.startedAt),
    column_ended_at: column(timestamptzArray, (e) => e.endedAt), column_location: column(textArray, (e) => e.location),
    column_description: column(textArray, (e) => e.description), column_status: column(textArray, (e) => e.status), column_source: column(textArray, (e) => e.source),
    column_recorded_by: column(uuidArray, () => ctx.actor.keyId), column_request_id: column(textArray, () => ctx.requestId),
  };
}

type InsertValues = ({ rows: string } | Record<ColumnParameter, Buffer>) & Partial<StoreValues>;

/** The insert, its rows as JSON or `binary` columns, and with `storing` the Idempotency-Key's answer in the same statement (see `storeSql`). */
const insertStatement = (binary: boolean, storing: boolean) => statement<{ stored: number }, InsertValues>(`entries_insert${binary ? '_binary' : ''}${storing ? '_storing_answer' : ''}`, (v) => {
  const slots = v as unknown as Slots<{ rows: string } & Record<ColumnParameter, Buffer>>;
  const rows = binary
    ? sql`select * from unnest(${sql.join(ENTRY_COLUMNS.map(([name, type]) => sql`${slots[`column_${name}`]}::${sql.raw(type)}[]`), sql`, `)}) as t(${sql.raw(ENTRY_COLUMNS.map(([name]) => name).join(', '))})`
    : sql`select * from json_to_recordset(${slots.rows}::json) as t(${sql.raw(ENTRY_JSON_COLUMNS)})`;
  return sql`
    with ${insertSql(rows)}${storing ? sql`, stored as (${storeSql(v as Slots<StoreValues>)})` : sql``}
    select ${storing ? sql`(select count(*) from stored)::int` : sql`1`} as stored`;
});
const inserts = { json: [insertStatement(false, false), insertStatement(false, true)], binary: [insertStatement(true, false), insertStatement(true, true)] } as const;

/** An insert on its way: the rows it stores, known at once, and whether it stored the key's answer, once it has answered. */
export interface SentEntries {
  rows: EntryRow[];
  /** Rejects as the statement does; a caller that rolls back without awaiting it leaves no unhandled rejection. */
  stored: Promise<boolean>;
}

/**
 * Sends the insert of the entries and their audit events, one statement (one JSON record set
 * keeps it one round trip whatever the batch size), and answers the stored rows in input order at
 * once: they are built here from what is inserted and the transaction's clock `now` (the
 * columns' default), not read back (returning and decoding 1,000 rows of 19 columns cost a batch
 * ~3 ms of database and service time), so the service can write its answer while PostgreSQL
 * inserts (~20 ms for a 1,000-entry batch). Given `answer`, the same statement stores the answer
 * it makes of the rows for the request's Idempotency-Key (a round trip fewer per keyed write);
 * `stored` says whether it could.
 */
export function sendEntries(
  db: Executor, ctx: Pick<RequestContext, 'actor' | 'requestId'>, entries: readonly NewEntry[], now: Date, answer?: (rows: EntryRow[]) => StoreValues,
): SentEntries {
  const ids = entries.map(() => uuidv7());
  const rows = entries.map((entry, i) => storedRow(entry, ids[i]!, ctx.actor.keyId, now));
  const binary = takesBinaryArrays(db);
  const values = binary ? entryColumns(ctx, entries, ids) : { rows: JSON.stringify(entries.map((entry, i) => entryJsonRow(ctx, entry, ids[i]!))) };
  const insert = inserts[binary ? 'binary' : 'json'][answer ? 1 : 0];
  // node-postgres sends the statement at once, or as soon as the one before it on the connection has answered.
  const stored = insert(db, answer ? { ...values, ...answer(rows) } : values).then(([result]) => result!.stored > 0);
  stored.catch(() => undefined);
  return { rows, stored };
}

const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));

/** The row as `insertSql` stores it, stamped with the clock of its transaction. */
export function storedRow(entry: NewEntry, id: string, keyId: string, now: Date): EntryRow {
  const approved = entry.status === 'approved';
  return {
    id,
    communityId: entry.communityId,
    volunteerId: entry.volunteerId,
    organizationId: entry.organizationId,
    categoryId: entry.categoryId,
    servedOn: entry.servedOn,
    minutes: entry.minutes,
    activityId: entry.activityId,
    startedAt: toDate(entry.startedAt),
    endedAt: toDate(entry.endedAt),
    location: entry.location,
    description: entry.description,
    status: entry.status,
    source: entry.source as EntryRow['source'],
    recordedByKeyId: keyId,
    approvedByKeyId: approved ? keyId : null,
    approvedAt: approved ? now : null,
    rejectedByKeyId: null,
    rejectedAt: null,
    rejectionReason: null,
    voidedByKeyId: null,
    voidedAt: null,
    voidReason: null,
    createdAt: now,
    updatedAt: now,
  };
}
