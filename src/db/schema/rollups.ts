import { bigint, customType, date, integer, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** `organization_id` of the bitmap row that covers the whole community. */
export const WHOLE_COMMUNITY = '00000000-0000-0000-0000-000000000000';

/**
 * Which volunteers served (approved minutes) in a community in a month, as a bitmap over their
 * member numbers: one row for the whole community (organization_id = WHOLE_COMMUNITY) and one per
 * organization. A volunteer belongs to one community, so distinct counts add up across
 * communities and union across months and organizations: exact distinct-volunteer totals
 * without scanning entries.
 */
export const volunteerMonthBitmaps = pgTable(
  'volunteer_month_bitmaps',
  {
    communityId: uuid('community_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    organizationId: uuid('organization_id').notNull().default(WHOLE_COMMUNITY),
    members: bytea('members').notNull(),
    /** Approved minutes and entries of the same cell, so community and organization reports read only this table. */
    minutes: bigint('minutes', { mode: 'number' }).notNull().default(0),
    entries: integer('entries').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'volunteer_month_bitmaps_pk', columns: [t.communityId, t.month, t.organizationId] })],
);
