import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { dateArray, int4Array, takesBinaryArrays, uuidArray } from '../../db/binary-arrays.js';
import { fromJson, statement } from '../../db/raw.js';
import { probeSql, type KeyProbeValues } from '../idempotency/idempotency.js';
import { addWithinCap, dayClaimValues, dayKey, type DayClaim, type DayClaimValues } from './day-minutes.js';

export interface VolunteerRef { id: string; communityId: string; status: string; memberNo: number }
export interface OrganizationRef { id: string; communityId: string; archived: boolean; approvalPolicy: 'manual' | 'auto'; timezone: string }
export interface CategoryRef { id: string; communityId: string }

/** What the ledger's rules read about the objects a set of entries names. */
export type RuleReferences = Pick<References, 'volunteers' | 'organizations' | 'categories' | 'memberships'>;

/** Everything the ledger's rules need about the objects a set of entries names, read in one statement. */
export interface References {
  volunteers: Map<string, VolunteerRef>;
  organizations: Map<string, OrganizationRef>;
  categories: Map<string, CategoryRef>;
  /** `${organizationId}:${volunteerId}` for current memberships (empty unless asked for). */
  memberships: Set<string>;
  /** Days whose minutes were added (see `addWithinCap`), by `dayKey`, with their new totals. */
  addedDays: Map<string, number>;
  /** The value of the `probe` expression, when one was given (the Idempotency-Key's, for a write). */
  probe?: unknown;
  /** The transaction's clock (`now()`), which every row it writes is stamped with. */
  now: Date;
}

const uniq = (values: string[]): string[] => [...new Set(values)];

export interface ReferenceOptions {
  /** Whether the rules need the volunteers' memberships: only when the key is not a community admin's (see isPrivileged). */
  memberships: boolean;
  /** Days whose minutes the statement adds within the cap (see `addWithinCap`). */
  days?: readonly DayClaim[];
  /** The Idempotency-Key to probe in the same statement (see `probeSql`). */
  probe?: KeyProbeValues;
}

/** What the statement binds: arrays as they are, or (on node-postgres) in the binary format, which PostgreSQL reads without parsing text. */
type Bound<T> = { [K in keyof T]: NonNullable<T[K]> extends readonly unknown[] ? T[K] | Buffer : T[K] };
type ReferenceValues = Bound<{ volunteerIds: string[]; organizationIds: string[]; categoryIds: string[] } & Partial<DayClaimValues>> & Partial<KeyProbeValues>;
type Row = { now: Date | string; volunteers: VolunteerRef[] | null; organizations: OrganizationRef[] | null; categories: CategoryRef[] | null; memberships: Array<{ o: string; v: string }> | null; days?: Array<{ v: string; d: string; m: number }> | null; probe?: unknown };

/** The statement for one combination of options, written once (see `statement`). */
function referencesStatement(memberships: boolean, days: boolean, probe: boolean) {
  return statement<Row, ReferenceValues>(`entry_references${memberships ? '_members' : ''}${days ? '_adding_days' : ''}${probe ? '_probing' : ''}`, (v) => sql`
    ${days ? sql`with added as (${addWithinCap(v)})` : sql``}
    select now() as now,
      (select json_agg(json_build_object('id', id, 'communityId', community_id, 'status', status, 'memberNo', member_no))
         from volunteers where id = any(${v.volunteerIds}::uuid[])) as volunteers,
      (select json_agg(json_build_object('id', o.id, 'communityId', o.community_id, 'archived', o.archived_at is not null,
           'approvalPolicy', o.approval_policy, 'timezone', c.timezone))
         from organizations o join communities c on c.id = o.community_id where o.id = any(${v.organizationIds}::uuid[])) as organizations,
      (select json_agg(json_build_object('id', id, 'communityId', community_id))
         from service_categories where id = any(${v.categoryIds}::uuid[])) as categories
      ${memberships ? sql`, (select json_agg(json_build_object('o', organization_id, 'v', volunteer_id))
         from memberships where volunteer_id = any(${v.volunteerIds}::uuid[]) and organization_id = any(${v.organizationIds}::uuid[]) and left_at is null) as memberships` : sql``}
      ${days ? sql`, (select json_agg(json_build_object('v', volunteer_id, 'd', served_on, 'm', minutes)) from added) as days` : sql``}
      ${probe ? sql`, ${probeSql(v)} as probe` : sql``}`);
}

const statements = new Map<number, ReturnType<typeof referencesStatement>>();

/**
 * One round trip: each kind of reference comes back as a JSON array in one row. Given `days`, the
 * same statement also adds their minutes within the day cap (and locks them), and reads `probe`,
 * so recording an entry reads what its rules and its Idempotency-Key need and claims its day in a
 * single statement.
 */
export async function loadReferences(
  db: Executor, items: ReadonlyArray<{ volunteerId: string; organizationId: string; categoryId: string }>, { memberships, days, probe }: ReferenceOptions,
): Promise<References> {
  const shape = (memberships ? 1 : 0) | (days ? 2 : 0) | (probe ? 4 : 0);
  let query = statements.get(shape);
  if (!query) statements.set(shape, (query = referencesStatement(memberships, days !== undefined, probe !== undefined)));
  const binary = takesBinaryArrays(db);
  const uuids = (values: string[]) => (binary ? uuidArray(values) : values);
  const claims = days && dayClaimValues(days);
  const [row] = await query(db, {
    volunteerIds: uuids(uniq(items.map((i) => i.volunteerId))),
    organizationIds: uuids(uniq(items.map((i) => i.organizationId))),
    categoryIds: uuids(uniq(items.map((i) => i.categoryId))),
    ...(claims && (binary
      ? { dayVolunteers: uuidArray(claims.dayVolunteers), dayOrganizations: uuidArray(claims.dayOrganizations), dayDates: dateArray(claims.dayDates), dayMinutes: int4Array(claims.dayMinutes) }
      : claims)),
    ...probe,
  });
  const parse = <T>(value: T[] | string | null | undefined): T[] => fromJson<T[]>(value) ?? [];
  return {
    now: new Date(row!.now),
    volunteers: new Map(parse(row?.volunteers).map((v) => [v.id, v])),
    organizations: new Map(parse(row?.organizations).map((o) => [o.id, o])),
    categories: new Map(parse(row?.categories).map((c) => [c.id, c])),
    memberships: new Set(parse(row?.memberships).map((m) => `${m.o}:${m.v}`)),
    addedDays: new Map(parse(row?.days).map((d) => [dayKey(d.v, d.d), d.m])),
    ...(probe ? { probe: fromJson(row?.probe) } : {}),
  };
}
