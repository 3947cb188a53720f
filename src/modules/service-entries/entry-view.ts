import { sql, type SQL } from 'drizzle-orm';
import type { serviceEntries } from '../../db/schema/index.js';
import type { EntryView } from './entry-schemas.js';

export type EntryRow = typeof serviceEntries.$inferSelect;

/** An optional instant as the API writes it. */
export const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

export function toEntry(row: EntryRow): EntryView {
  return {
    id: row.id,
    communityId: row.communityId,
    volunteerId: row.volunteerId,
    organizationId: row.organizationId,
    categoryId: row.categoryId,
    servedOn: row.servedOn,
    minutes: row.minutes,
    activityId: row.activityId,
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    location: row.location,
    description: row.description,
    status: row.status,
    source: row.source,
    recordedByKeyId: row.recordedByKeyId,
    approvedByKeyId: row.approvedByKeyId,
    approvedAt: iso(row.approvedAt),
    rejectedByKeyId: row.rejectedByKeyId,
    rejectedAt: iso(row.rejectedAt),
    rejectionReason: row.rejectionReason,
    voidedByKeyId: row.voidedByKeyId,
    voidedAt: iso(row.voidedAt),
    voidReason: row.voidReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** An instant as `toISOString` writes it (UTC, milliseconds, Z); to_char truncates microseconds as a JS Date does. */
export const iso8601 = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * `toEntry` written in SQL, for lists: PostgreSQL builds each entry's JSON, so a page of 50 costs
 * the service one short text column per row instead of mapping, converting and serializing 25
 * fields (the list page was bound by the service's CPU, ~1.1 ms per request). Same fields, same
 * order, same formats; a test holds the two to each other. A row of named columns turned into
 * JSON costs PostgreSQL a fifth less than json_build_object's 50 arguments (0.51 against 0.65 ms
 * for a page of 51, EXPLAIN ANALYZE).
 */
export const entryJsonSql: SQL = sql.raw(`(select row_to_json(entry)::text from (select
  id, community_id as "communityId", volunteer_id as "volunteerId", organization_id as "organizationId",
  category_id as "categoryId", served_on::text as "servedOn", minutes, activity_id as "activityId",
  ${iso8601('started_at')} as "startedAt", ${iso8601('ended_at')} as "endedAt",
  location, description, status, source,
  recorded_by_key_id as "recordedByKeyId", approved_by_key_id as "approvedByKeyId", ${iso8601('approved_at')} as "approvedAt",
  rejected_by_key_id as "rejectedByKeyId", ${iso8601('rejected_at')} as "rejectedAt", rejection_reason as "rejectionReason",
  voided_by_key_id as "voidedByKeyId", ${iso8601('voided_at')} as "voidedAt", void_reason as "voidReason",
  ${iso8601('created_at')} as "createdAt", ${iso8601('updated_at')} as "updatedAt"
) as entry)`);
