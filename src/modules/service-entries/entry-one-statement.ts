import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { fromJson, statement } from '../../db/raw.js';
import type { RequestContext } from '../../lib/context.js';
import { uuidv7 } from '../../lib/ids.js';
import { probeSql, storeSql, type KeyProbe } from '../idempotency/idempotency.js';
import { DAY_CAP_MINUTES, dayKey } from './day-minutes.js';
import type { RecordOptions } from './entry-recorder.js';
import type { CategoryRef, OrganizationRef, VolunteerRef } from './entry-references.js';
import { ENTRY_JSON_COLUMNS, entryJsonRow, insertSql, storedRow, type NewEntry } from './entry-writer.js';
import { iso8601, type EntryRow } from './entry-view.js';

/**
 * How the statement below confirms each fact the rules read (see `checkReferences`, `arrivesApproved`):
 * a field added to a reference fails to compile here until the statement confirms it too.
 */
const _confirmed: {
  organization: Record<keyof OrganizationRef, string>; volunteer: Record<keyof VolunteerRef, string>; category: Record<keyof CategoryRef, string>;
} = {
  organization: { id: 'o.id', communityId: 'o.community_id', archived: 'o.archived_at is null', approvalPolicy: 'o.approval_policy', timezone: 'c.timezone' },
  volunteer: { id: 'v.id', communityId: 'v.community_id', status: "v.status = 'active'", memberNo: 'not read: a pending entry leaves the rollups alone' },
  category: { id: 's.id', communityId: 's.community_id' },
};

/** A pending entry the rules accepted against cached facts (its `organization` among them), waiting to be written. */
export interface KnownEntry {
  ctx: RequestContext;
  entry: NewEntry;
  organization: OrganizationRef;
  /** Whether the rules required the volunteer's membership of the organization (see isPrivileged). */
  members: boolean;
  key: RecordOptions['key'];
}

/** What the statement did for one entry: recorded its `rows`, or nothing because a fact changed (`stale`) or the day's cap said no. */
export type KnownOutcome = { rows: EntryRow[] } | { rows?: undefined; stale: boolean };

/** The entry's Idempotency-Key, with its key holder. */
export const keyOf = ({ key }: KnownEntry): string | undefined => (key ? `${key.claim.apiKeyId}:${key.claim.key}` : undefined);

/** The entry's volunteer-day: two entries of one cannot share a statement, which claims a day's row once. */
export const dayOf = ({ entry }: KnownEntry): string => dayKey(entry.volunteerId, entry.servedOn);

/** The columns of one entry's row in the statement's JSON input: the entry's (see `entryJsonRow`), the facts it was checked against, its key. */
const COLUMNS = sql.raw(`position int, ${ENTRY_JSON_COLUMNS}, approval_policy text, timezone text, members boolean,
  key_holder uuid, idempotency_key text, key_community uuid, fingerprint text, answer_status int, answer jsonb`);

type Row = { position: number; hold: boolean; probe: unknown; added: boolean; now: Date | string };

const now = sql.raw(`to_jsonb(${iso8601('now()')})`);
const keyFree = sql`(f.probe is null or ((f.probe->>'locked')::boolean and f.probe->>'fingerprint' is null))`;

/**
 * Pending entries recorded in one statement, outside any transaction, each only if the facts its
 * rules were checked against hold (`hold`), its Idempotency-Key (if any) is free (`probe`, as the
 * long way reads it) and its day stays within the cap (`added`, which also locks the day, in key
 * order as every writer does). Each written entry gets its audit event and its key's answer,
 * stamped with the statement's clock. Should an answer not be stored (another request stored one
 * first), `write_guard` undoes the whole statement. The rows come as one JSON value: PostgreSQL
 * estimates a JSON record set the same whatever its values, so the statement keeps one generic
 * plan however many rows it carries (an unnest of arrays was re-planned for its length). That
 * plan is made for a hundred rows, for which it would hash whole tables to answer an EXISTS; the
 * facts are scalar subqueries by key instead, which PostgreSQL never hashes.
 */
export const recordKnown = statement<Row, { rows: string }>('entries_record_known', (v) => sql`
    with input as materialized (
      select * from json_to_recordset(${v.rows}::json) as t(${COLUMNS})
    ), facts as materialized (
      select i.position,
        (select true from organizations o join communities c on c.id = o.community_id
          where o.id = i.organization_id and o.community_id = i.community_id and o.archived_at is null
            and o.approval_policy = i.approval_policy and c.timezone = i.timezone) is not null
        and (select true from volunteers v where v.id = i.volunteer_id and v.community_id = i.community_id and v.status = 'active') is not null
        and (select true from service_categories s where s.id = i.category_id and s.community_id = i.community_id) is not null
        and (not i.members or (select true from memberships m
               where m.organization_id = i.organization_id and m.volunteer_id = i.volunteer_id and m.left_at is null limit 1) is not null) as hold,
        case when i.key_holder is not null then ${probeSql({ keyHolder: sql`i.key_holder`, idempotencyKey: sql`i.idempotency_key` })} end as probe
      from input i
    ), added as (
      insert into volunteer_day_minutes (community_id, volunteer_id, served_on, minutes)
      select i.community_id, i.volunteer_id, i.served_on, i.minutes
      from input i join facts f on f.position = i.position
      where f.hold and ${keyFree}
      order by i.volunteer_id, i.served_on
      on conflict (volunteer_id, served_on) do update set minutes = volunteer_day_minutes.minutes + excluded.minutes
        where volunteer_day_minutes.minutes + excluded.minutes <= ${sql.raw(String(DAY_CAP_MINUTES))}
      returning volunteer_id, served_on
    ), ${insertSql(sql`select i.* from input i join added a on a.volunteer_id = i.volunteer_id and a.served_on = i.served_on`)},
    stored as (${storeSql(
      { apiKeyId: sql`i.key_holder`, key: sql`i.idempotency_key`, communityId: sql`i.key_community`, fingerprint: sql`i.fingerprint`, status: sql`i.answer_status`, body: sql`i.answer` },
      { from: sql`inserted e join input i on i.id = e.id`, when: sql`i.key_holder is not null`, body: sql`jsonb_set(jsonb_set(i.answer, '{createdAt}', ${now}), '{updatedAt}', ${now})::text` },
    )})
    select f.position, f.hold, f.probe, a.volunteer_id is not null as added, now() as now,
      (select write_guard((select count(*) from stored) = (select count(*) from inserted e join input i on i.id = e.id where i.key_holder is not null),
        'another answer was stored for an Idempotency-Key first')) as guarded
    from facts f join input i on i.position = f.position
      left join added a on a.volunteer_id = i.volunteer_id and a.served_on = i.served_on
    order by f.position`);

const EPOCH = new Date(0);

/**
 * Writes `entries` (no two of one volunteer-day or one Idempotency-Key) in one round trip and settles
 * each: its outcome, or what its Idempotency-Key answers instead (a stored answer, a 409, a 422),
 * thrown. When an entry records nothing its caller goes the long way, which names the problem.
 * The statement either writes every entry it can or, failing (a constraint, `write_guard`),
 * nothing at all.
 */
export async function recordKnownEntries(db: Executor, entries: readonly KnownEntry[]): Promise<Array<() => KnownOutcome>> {
  // Rows meet the days the statement added by volunteer-day: two of one day would both pass as one.
  if (new Set(entries.map(dayOf)).size !== entries.length) throw new Error('recordKnownEntries: two entries of one volunteer-day');
  const pending = entries.map(({ ctx, entry }) => storedRow(entry, uuidv7(), ctx.actor.keyId, EPOCH)); // stamped with the statement's clock
  const rows = entries.map((known, position) => inputRow(position, known, pending[position]!));
  const result = await recordKnown(db, { rows: JSON.stringify(rows) });
  return entries.map((known, position) => () => {
    const row = result[position]!;
    if (known.key) known.key.probe.check(fromJson<KeyProbe>(row.probe)!);
    if (!row.hold || !row.added) return { stale: !row.hold };
    const at = new Date(row.now);
    return { rows: [{ ...pending[position]!, createdAt: at, updatedAt: at }] };
  });
}

function inputRow(position: number, { ctx, entry, organization, members, key }: KnownEntry, pending: EntryRow): Record<string, unknown> {
  const answer = key?.answer([pending]);
  // The statement stamps the answer's top-level createdAt and updatedAt: it must be the entry itself.
  if (answer && (answer.body as { createdAt?: unknown }).createdAt !== EPOCH.toISOString()) throw new Error('recordKnownEntries stores an entry\'s own answer only');
  return {
    position, ...entryJsonRow(ctx, entry, pending.id), approval_policy: organization.approvalPolicy, timezone: organization.timezone, members,
    ...(key && answer ? {
      key_holder: key.claim.apiKeyId, idempotency_key: key.claim.key, key_community: key.claim.communityId,
      fingerprint: key.claim.fingerprint, answer_status: answer.status, answer: answer.body,
    } : {}),
  };
}
