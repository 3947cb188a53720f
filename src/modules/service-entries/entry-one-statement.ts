import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { writeGuardRefused } from '../../db/errors.js';
import { statement } from '../../db/raw.js';
import type { RequestContext } from '../../lib/context.js';
import { uuidv7 } from '../../lib/ids.js';
import { probeSql, storeSql, type KeyProbe, type KeyProbeValues, type StoreValues } from '../idempotency/idempotency.js';
import { DAY_CAP_MINUTES } from './day-minutes.js';
import type { RecordOptions } from './entry-recorder.js';
import type { OrganizationRef } from './entry-references.js';
import type { NewEntry } from './entry-writer.js';
import { insertSql, insertValues, storedRow, type InsertValues } from './entry-writer.js';
import { iso8601, type EntryRow } from './entry-view.js';

/** The facts the rules were checked against, which the statement must find unchanged. */
type FactValues = {
  community: string; volunteer: string; organization: string; category: string;
  approvalPolicy: OrganizationRef['approvalPolicy']; timezone: string; members: boolean; day: string; dayMinutes: number;
};
type Values = FactValues & InsertValues & Partial<KeyProbeValues & StoreValues>;
type Row = { hold: boolean; probe: unknown; added: boolean; now: Date | string };

const now = sql.raw(`to_jsonb(${iso8601('now()')})`);

/**
 * A pending entry recorded in one statement, outside any transaction: the facts its rules were
 * checked against hold (`hold`), its Idempotency-Key is free (`probe`, as the long way reads it),
 * its day stays within the cap (`added`, which also locks the day), and only then the entry, its
 * audit event and the key's answer (stamped with the statement's clock) are written. Should the
 * answer not be stored (another request stored one first), `write_guard` undoes the statement.
 */
function oneStatement(keyed: boolean) {
  return statement<Row, Values>(keyed ? 'entry_record_keyed' : 'entry_record', (v) => sql`
    with facts as (
      select
        exists (select 1 from organizations o join communities c on c.id = o.community_id
                 where o.id = ${v.organization}::uuid and o.community_id = ${v.community}::uuid and o.archived_at is null
                   and o.approval_policy = ${v.approvalPolicy} and c.timezone = ${v.timezone})
        and exists (select 1 from volunteers where id = ${v.volunteer}::uuid and community_id = ${v.community}::uuid and status = 'active')
        and exists (select 1 from service_categories where id = ${v.category}::uuid and community_id = ${v.community}::uuid)
        and (not ${v.members}::boolean or exists (select 1 from memberships
               where organization_id = ${v.organization}::uuid and volunteer_id = ${v.volunteer}::uuid and left_at is null)) as hold
        ${keyed ? sql`, ${probeSql(v)} as probe` : sql``}
    ), go as (
      select 1 from facts where hold ${keyed ? sql`and (probe->>'locked')::boolean and probe->>'fingerprint' is null` : sql``}
    ), added as (
      insert into volunteer_day_minutes (community_id, volunteer_id, served_on, minutes)
      select ${v.community}::uuid, ${v.volunteer}::uuid, ${v.day}::date, ${v.dayMinutes}::int from go
      on conflict (volunteer_id, served_on) do update set minutes = volunteer_day_minutes.minutes + excluded.minutes
        where volunteer_day_minutes.minutes + excluded.minutes <= ${DAY_CAP_MINUTES}
      returning 1
    ), ${insertSql(v, sql`exists (select 1 from added)`)}
    ${keyed ? sql`, stored as (${storeSql(v, {
      when: sql`exists (select 1 from inserted)`,
      body: sql`jsonb_set(jsonb_set(${v.body}::jsonb, '{createdAt}', ${now}), '{updatedAt}', ${now})`,
    })})` : sql``}
    select hold, ${keyed ? sql`probe` : sql`null`} as probe, exists (select 1 from added) as added, now() as now
      ${keyed ? sql`, write_guard((select count(*) from stored) = (select count(*) from inserted), 'another answer was stored for this Idempotency-Key first')` : sql``}
    from facts`);
}

const plain = oneStatement(false);
const keyed = oneStatement(true);

/**
 * Records `entry` (which the rules accepted against `organization` and the other cached facts)
 * in one round trip, or answers undefined when the statement wrote nothing because a fact or
 * the day's cap said no: the caller then goes the long way, which names the problem.
 */
export async function recordInOneStatement(
  db: Database, ctx: RequestContext, entry: NewEntry, organization: OrganizationRef, members: boolean, key: RecordOptions['key'],
): Promise<EntryRow[] | undefined> {
  const id = uuidv7();
  const pending = storedRow(entry, id, ctx.actor.keyId, new Date(0)); // stamped by the statement's clock below
  const values: Values = {
    community: entry.communityId, volunteer: entry.volunteerId, organization: entry.organizationId, category: entry.categoryId,
    approvalPolicy: organization.approvalPolicy, timezone: organization.timezone, members, day: entry.servedOn, dayMinutes: entry.minutes,
    ...insertValues(ctx, [entry], [id]),
    ...(key ? { ...key.probe.values, ...key.storing(key.answer([pending])) } : {}),
  };
  let row: Row | undefined;
  try {
    [row] = key ? await keyed(db, values) : await plain(db, values);
  } catch (err) {
    if (key && writeGuardRefused(err)) key.refused();
    throw err;
  }
  if (key) key.probe.check((typeof row!.probe === 'string' ? JSON.parse(row!.probe) : row!.probe) as KeyProbe);
  if (!row!.hold || !row!.added) return undefined;
  return [{ ...pending, createdAt: new Date(row!.now), updatedAt: new Date(row!.now) }];
}
