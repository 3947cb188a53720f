import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.js';

export const DEFAULT_STAR_THRESHOLDS = [100, 300, 600, 1000, 1500];

export const communities = pgTable(
  'communities',
  {
    id: id(),
    name: text('name').notNull(),
    regionCode: varchar('region_code', { length: 12 }),
    timezone: text('timezone').notNull().default('Asia/Shanghai'),
    population: integer('population'),
    households: integer('households'),
    /** Cumulative approved hours for one to five stars. */
    starThresholds: integer('star_thresholds').array().notNull().default(sql`'{100,300,600,1000,1500}'::integer[]`),
    /** Last member number handed out to a volunteer of this community. */
    volunteerSeq: integer('volunteer_seq').notNull().default(0),
    /** Volunteers not withdrawn, kept by every registration and status change, for the summary report. */
    registeredVolunteers: integer('registered_volunteers').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('communities_region_code_idx').on(t.regionCode),
    check('communities_region_code_digits', sql`${t.regionCode} ~ '^[0-9]{12}$'`),
    check('communities_star_thresholds_five', sql`cardinality(${t.starThresholds}) = 5`),
  ],
);
