import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';
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

const col = <K extends keyof NewEntry>(entries: readonly NewEntry[], key: K): NewEntry[K][] => entries.map((e) => e[key]);

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

/**
 * Inserts the entries and their audit events in one statement (unnest keeps it one round trip
 * whatever the batch size), returning the stored rows in input order.
 */
export async function insertEntries(db: Executor, ctx: Pick<RequestContext, 'actor' | 'requestId'>, entries: readonly NewEntry[]): Promise<EntryRow[]> {
  const ids = entries.map(() => uuidv7());
  const auditIds = entries.map(() => uuidv7());
  const keyId = ctx.actor.keyId;
  const rows = await queryRows<Record<string, unknown>>(db, sql`
    with input as (
      select * from unnest(
        ${array(ids)}::uuid[], ${array(auditIds)}::uuid[], ${array(col(entries, 'communityId'))}::uuid[], ${array(col(entries, 'volunteerId'))}::uuid[],
        ${array(col(entries, 'organizationId'))}::uuid[], ${array(col(entries, 'categoryId'))}::uuid[], ${array(col(entries, 'servedOn'))}::date[],
        ${array(col(entries, 'minutes'))}::smallint[], ${array(col(entries, 'activityId'))}::uuid[], ${array(col(entries, 'startedAt'))}::timestamptz[],
        ${array(col(entries, 'endedAt'))}::timestamptz[], ${array(col(entries, 'location'))}::text[], ${array(col(entries, 'description'))}::text[],
        ${array(col(entries, 'status'))}::text[], ${array(col(entries, 'source'))}::text[]
      ) with ordinality as t(id, audit_id, community_id, volunteer_id, organization_id, category_id, served_on, minutes,
                             activity_id, started_at, ended_at, location, description, status, source, position)
    ), inserted as (
      insert into service_entries (id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, activity_id,
        started_at, ended_at, location, description, status, source, recorded_by_key_id, approved_by_key_id, approved_at)
      select id, community_id, volunteer_id, organization_id, category_id, served_on, minutes, activity_id, started_at, ended_at,
        location, description, status, source, ${keyId}::uuid,
        case when status = 'approved' then ${keyId}::uuid end, case when status = 'approved' then now() end
      from input
      returning *
    ), audited as (
      insert into audit_events (id, community_id, actor_key_id, action, entity_type, entity_id, after, request_id)
      select input.audit_id, inserted.community_id, ${keyId}::uuid, 'service_entry.recorded', 'service_entry', inserted.id,
        jsonb_build_object('volunteerId', inserted.volunteer_id, 'organizationId', inserted.organization_id,
          'categoryId', inserted.category_id, 'servedOn', inserted.served_on, 'minutes', inserted.minutes,
          'status', inserted.status, 'source', inserted.source, 'startedAt', inserted.started_at, 'endedAt', inserted.ended_at),
        ${ctx.requestId}
      from inserted join input on input.id = inserted.id
    )
    select inserted.id, inserted.community_id, inserted.volunteer_id, inserted.organization_id, inserted.category_id,
      inserted.served_on::text as served_on, inserted.minutes, inserted.activity_id, inserted.started_at, inserted.ended_at,
      inserted.location, inserted.description, inserted.status, inserted.source, inserted.recorded_by_key_id,
      inserted.approved_by_key_id, inserted.approved_at, inserted.created_at, inserted.updated_at
    from inserted join input on input.id = inserted.id
    order by input.position`, 'entries_insert');
  return rows.map(fromInsertedRow);
}

const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));

function fromInsertedRow(r: Record<string, unknown>): EntryRow {
  return {
    id: r.id as string,
    communityId: r.community_id as string,
    volunteerId: r.volunteer_id as string,
    organizationId: r.organization_id as string,
    categoryId: r.category_id as string,
    servedOn: r.served_on as string,
    minutes: Number(r.minutes),
    activityId: (r.activity_id as string | null) ?? null,
    startedAt: toDate(r.started_at),
    endedAt: toDate(r.ended_at),
    location: (r.location as string | null) ?? null,
    description: (r.description as string | null) ?? null,
    status: r.status as EntryRow['status'],
    source: r.source as EntryRow['source'],
    recordedByKeyId: r.recorded_by_key_id as string,
    approvedByKeyId: (r.approved_by_key_id as string | null) ?? null,
    approvedAt: toDate(r.approved_at),
    rejectedByKeyId: null,
    rejectedAt: null,
    rejectionReason: null,
    voidedByKeyId: null,
    voidedAt: null,
    voidReason: null,
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  };
}
