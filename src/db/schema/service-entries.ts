import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, primaryKey, smallint, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.js';

export const ENTRY_STATUSES = ['pending', 'approved', 'rejected', 'voided'] as const;
export const ENTRY_SOURCES = ['coordinator', 'self_report', 'check_in', 'import'] as const;

/**
 * The ledger line. Never deleted: rejected and voided entries stay with who did it and why.
 * No foreign keys, on purpose: the service checks every reference inside the writing transaction
 * and nothing it references is ever deleted, while the four FK triggers cost 60 of 96 ms per
 * 1,000-entry batch (EXPLAIN ANALYZE) on the hottest table.
 */
export const serviceEntries = pgTable(
  'service_entries',
  {
    id: id(),
    communityId: uuid('community_id').notNull(),
    volunteerId: uuid('volunteer_id').notNull(),
    organizationId: uuid('organization_id').notNull(),
    categoryId: uuid('category_id').notNull(),
    servedOn: date('served_on', { mode: 'string' }).notNull(),
    minutes: smallint('minutes').notNull(),
    activityId: uuid('activity_id'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    location: text('location'),
    description: text('description'),
    status: text('status', { enum: ENTRY_STATUSES }).notNull().default('pending'),
    source: text('source', { enum: ENTRY_SOURCES }).notNull(),
    recordedByKeyId: uuid('recorded_by_key_id').notNull(),
    approvedByKeyId: uuid('approved_by_key_id'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    rejectedByKeyId: uuid('rejected_by_key_id'),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    rejectionReason: text('rejection_reason'),
    voidedByKeyId: uuid('voided_by_key_id'),
    voidedAt: timestamp('voided_at', { withTimezone: true }),
    voidReason: text('void_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('service_entries_community_idx').on(t.communityId, t.id),
    index('service_entries_volunteer_day_idx').on(t.volunteerId, t.servedOn),
    index('service_entries_organization_idx').on(t.organizationId, t.id),
    index('service_entries_updated_idx').on(t.communityId, t.updatedAt),
    // Lets report queries over one community's approved entries run as index-only scans.
    index('service_entries_approved_report_idx')
      .on(t.communityId, t.servedOn, t.organizationId, t.categoryId, t.volunteerId, t.minutes)
      .where(sql`status = 'approved'`),
    check('service_entries_minutes_range', sql`${t.minutes} between 1 and 1440`),
    check('service_entries_status_known', sql`${t.status} in ('pending','approved','rejected','voided')`),
    check('service_entries_source_known', sql`${t.source} in ('coordinator','self_report','check_in','import')`),
    check('service_entries_times_paired', sql`(${t.startedAt} is null) = (${t.endedAt} is null)`),
    check('service_entries_times_ordered', sql`${t.startedAt} is null or ${t.startedAt} < ${t.endedAt}`),
  ],
);

/**
 * Pending plus approved minutes per volunteer and day. Every change to an entry adjusts this row
 * in the same transaction; the CHECK makes the database itself refuse a day over 1440 minutes,
 * and the row lock serialises concurrent writers for the same volunteer-day.
 */
export const volunteerDayMinutes = pgTable(
  'volunteer_day_minutes',
  {
    communityId: uuid('community_id').notNull(),
    volunteerId: uuid('volunteer_id').notNull(),
    servedOn: date('served_on', { mode: 'string' }).notNull(),
    minutes: integer('minutes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.volunteerId, t.servedOn] }),
    check('volunteer_day_minutes_cap', sql`${t.minutes} between 0 and 1440`),
  ],
);

/** Stored answers for Idempotency-Key retries, per API key; rows older than 24 h are ignored and purged. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    apiKeyId: uuid('api_key_id').notNull(),
    key: varchar('key', { length: 255 }).notNull(),
    communityId: uuid('community_id'),
    fingerprint: varchar('fingerprint', { length: 64 }).notNull(),
    /** Answers are stored with their write, so always 'done' now ('in_progress' was the earlier claim-row design). */
    state: text('state', { enum: ['in_progress', 'done'] }).notNull().default('in_progress'),
    responseStatus: integer('response_status'),
    /** The answer's JSON as the service wrote it, kept as text: PostgreSQL never parses it (see migration 0010). */
    responseBody: text('response_body'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.apiKeyId, t.key] }),
    index('idempotency_keys_created_idx').on(t.createdAt),
  ],
);
