import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { writeGuardRefused } from '../../db/errors.js';
import { fromJson, oneRow, statement, type OneRow } from '../../db/raw.js';
import type { RequestContext } from '../../lib/context.js';
import { uuidv7 } from '../../lib/ids.js';
import { probeSql, storeSql, type KeyProbe, type KeyProbeValues, type StoreValues } from '../idempotency/idempotency.js';
import { addWithinCap, dayClaimValues, type DayClaimValues } from './day-minutes.js';
import type { RecordOptions } from './entry-recorder.js';
import type { CategoryRef, OrganizationRef, VolunteerRef } from './entry-references.js';
import { insertSql, insertValues, storedRow, type InsertValues, type NewEntry } from './entry-writer.js';
import { iso8601, type EntryRow } from './entry-view.js';

/**
 * How the statement below confirms each fact the rules read (see `checkReferences`, `arrivesApproved`):
 * a field added to a reference fails to compile here until the statement confirms it too.
 */
const _confirmed: {
  organization: Record<keyof OrganizationRef, string>; volunteer: Record<keyof VolunteerRef, string>; category: Record<keyof CategoryRef, string>;
} = {
  organization: { id: 'o.id', communityId: 'o.community_id', archived: 'o.archived_at is null', approvalPolicy: 'o.approval_policy', timezone: 'c.timezone' },
  volunteer: { id: 'id', communityId: 'community_id', status: "status = 'active'", memberNo: 'not read: a pending entry leaves the rollups alone' },
  category: { id: 'id', communityId: 'community_id' },
};

/**
 * The facts the rules were checked against beyond the entry itself, which the statement must
 * find unchanged. The entry's own ids are the insert's values (one row: `communityIds` is its community).
 */
type FactValues = { approvalPolicy: OrganizationRef['approvalPolicy']; timezone: string; members: boolean };
type Values = FactValues & OneRow<DayClaimValues & InsertValues> & Partial<KeyProbeValues & StoreValues>;
type Row = { hold: boolean; probe: unknown; added: boolean; now: Date | string };

const now = sql.raw(`to_jsonb(${iso8601('now()')})`);
const EPOCH = new Date(0);

/**
 * A pending entry recorded in one statement, outside any transaction: the facts its rules were
 * checked against hold (`hold`), its Idempotency-Key is free (`probe`, as the long way reads it),
 * its day stays within the cap (`added`, which also locks the day), and only then the entry, its
 * audit event and the key's answer (stamped with the statement's clock) are written. Should the
 * answer not be stored (another request stored one first), `write_guard` undoes the statement.
 */
function oneStatement(keyed: boolean) {
  return statement<Row, Values>(keyed ? 'entry_record_keyed' : 'entry_record', (v) => {
    // With an Idempotency-Key: probed with the facts, the day claimed only while it is free, its answer stored with the entry.
    const key = keyed
      ? {
        probe: sql`, ${probeSql(v)} as probe`,
        free: sql`and (probe->>'locked')::boolean and probe->>'fingerprint' is null`,
        store: sql`, stored as (${storeSql(v, {
          when: sql`exists (select 1 from inserted)`,
          body: sql`jsonb_set(jsonb_set(${v.body}::jsonb, '{createdAt}', ${now}), '{updatedAt}', ${now})`,
        })})`,
        answer: sql`probe`,
        guard: sql`, write_guard((select count(*) from stored) = (select count(*) from inserted), 'another answer was stored for this Idempotency-Key first')`,
      }
      : { probe: sql``, free: sql``, store: sql``, answer: sql`null`, guard: sql`` };
    return sql`
    with facts as (
      select
        exists (select 1 from organizations o join communities c on c.id = o.community_id
                 where o.id = ${v.organizationIds}::uuid and o.community_id = ${v.communityIds}::uuid and o.archived_at is null
                   and o.approval_policy = ${v.approvalPolicy} and c.timezone = ${v.timezone})
        and exists (select 1 from volunteers where id = ${v.volunteerIds}::uuid and community_id = ${v.communityIds}::uuid and status = 'active')
        and exists (select 1 from service_categories where id = ${v.categoryIds}::uuid and community_id = ${v.communityIds}::uuid)
        and (not ${v.members}::boolean or exists (select 1 from memberships
               where organization_id = ${v.organizationIds}::uuid and volunteer_id = ${v.volunteerIds}::uuid and left_at is null)) as hold
        ${key.probe}
    ), added as (
      ${addWithinCap(v, { when: sql`(select hold ${key.free} from facts)`, one: true })}
    ), ${insertSql(v, { when: sql`exists (select 1 from added)`, one: true })}
    ${key.store}
    select hold, ${key.answer} as probe, exists (select 1 from added) as added, now() as now ${key.guard}
    from facts`;
  });
}

const plain = oneStatement(false);
const keyed = oneStatement(true);

/** What the statement did: recorded `rows`, or nothing because a fact changed (`stale`) or the day's cap said no. */
export type OneStatementOutcome = { rows: EntryRow[] } | { rows?: undefined; stale: boolean };

/**
 * Records `entry` (which the rules accepted against `organization` and the other cached facts)
 * in one round trip. When it records nothing the caller goes the long way, which names the problem.
 */
export async function recordInOneStatement(
  db: Database, ctx: RequestContext, entry: NewEntry, organization: OrganizationRef, members: boolean, key: RecordOptions['key'],
): Promise<OneStatementOutcome> {
  const id = uuidv7();
  const pending = storedRow(entry, id, ctx.actor.keyId, EPOCH); // stamped with the statement's clock below
  const answer = key?.answer([pending]);
  // The statement stamps the answer's top-level createdAt and updatedAt: it must be the entry itself.
  if (answer && (answer.body as { createdAt?: unknown }).createdAt !== EPOCH.toISOString()) throw new Error('recordInOneStatement stores an entry\'s own answer only');
  const values: Values = {
    approvalPolicy: organization.approvalPolicy, timezone: organization.timezone, members,
    ...oneRow({ ...dayClaimValues([{ volunteerId: entry.volunteerId, organizationId: entry.organizationId, servedOn: entry.servedOn, minutes: entry.minutes }]), ...insertValues(ctx, [entry], [id]) }),
    ...(key && answer ? { ...key.probe.values, ...key.storing(answer) } : {}),
  };
  let row: Row | undefined;
  try {
    [row] = key ? await keyed(db, values) : await plain(db, values);
  } catch (err) {
    if (key && writeGuardRefused(err)) key.refused();
    throw err;
  }
  if (key) key.probe.check(fromJson<KeyProbe>(row!.probe)!);
  if (!row!.hold || !row!.added) return { stale: !row!.hold };
  return { rows: [{ ...pending, createdAt: new Date(row!.now), updatedAt: new Date(row!.now) }] };
}
