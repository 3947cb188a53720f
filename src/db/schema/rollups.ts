import { bigint, customType, date, integer, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Approved minutes and entries per community, organization, category and month, maintained in
 * the same transaction as every approval and void. City-wide reports read this instead of
 * millions of ledger lines.
 */
export const hoursMonthly = pgTable(
  'hours_monthly',
  {
    communityId: uuid('community_id').notNull(),
    organizationId: uuid('organization_id').notNull(),
    categoryId: uuid('category_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    minutes: bigint('minutes', { mode: 'number' }).notNull(),
    entries: integer('entries').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.month, t.organizationId, t.categoryId] }),
  ],
);

/**
 * Which volunteers served (approved minutes) in a community in a month, as a bitmap over their
 * member numbers. A volunteer belongs to one community, so distinct counts add up across
 * communities and union across months: exact distinct-volunteer totals without scanning entries.
 */
export const volunteerMonthBitmaps = pgTable(
  'volunteer_month_bitmaps',
  {
    communityId: uuid('community_id').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    members: bytea('members').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.month] })],
);
