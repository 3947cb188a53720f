import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgSequence, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.js';
import { communities } from './communities.js';
import { organizations } from './organizations.js';

export const GENDERS = ['male', 'female'] as const;
export const POLITICAL_STATUSES = ['masses', 'league_member', 'probationary_party_member', 'party_member'] as const;
export const VOLUNTEER_STATUSES = ['active', 'inactive', 'withdrawn'] as const;

/** One sequence for the whole system: volunteer codes are unique everywhere and never reused. */
export const volunteerCodeSequence = pgSequence('volunteer_code_seq', { startWith: 1, increment: 1 });

/**
 * A registered person. The resident ID number is never stored: only a keyed hash (to find
 * duplicates) and its last four characters (for display). Erasure blanks name, phone and ID data.
 */
export const volunteers = pgTable(
  'volunteers',
  {
    id: id(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    volunteerCode: varchar('volunteer_code', { length: 20 }).notNull()
      .default(sql`'V' || to_char(nextval('volunteer_code_seq'), 'FM00000000')`),
    /** Dense 1..n within the community: the volunteer's bit in the reports' distinct-volunteer bitmaps. */
    memberNo: integer('member_no').notNull(),
    name: text('name').notNull(),
    phone: varchar('phone', { length: 11 }),
    gender: text('gender', { enum: GENDERS }),
    birthDate: date('birth_date', { mode: 'string' }),
    politicalStatus: text('political_status', { enum: POLITICAL_STATUSES }).notNull().default('masses'),
    inServicePartyMember: boolean('in_service_party_member').notNull().default(false),
    workplaceOrganizationId: uuid('workplace_organization_id').references(() => organizations.id),
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    idNumberHash: varchar('id_number_hash', { length: 64 }),
    idNumberLast4: varchar('id_number_last4', { length: 4 }),
    status: text('status', { enum: VOLUNTEER_STATUSES }).notNull().default('active'),
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('volunteers_code_unique').on(t.volunteerCode),
    uniqueIndex('volunteers_member_no_unique').on(t.communityId, t.memberNo),
    uniqueIndex('volunteers_phone_unique').on(t.communityId, t.phone),
    uniqueIndex('volunteers_id_number_unique').on(t.communityId, t.idNumberHash),
    index('volunteers_community_idx').on(t.communityId, t.id),
    index('volunteers_updated_idx').on(t.communityId, t.updatedAt),
    index('volunteers_workplace_idx').on(t.workplaceOrganizationId),
    check('volunteers_status_known', sql`${t.status} in ('active','inactive','withdrawn')`),
    check('volunteers_political_status_known', sql`${t.politicalStatus} in ('masses','league_member','probationary_party_member','party_member')`),
    check('volunteers_phone_digits', sql`${t.phone} ~ '^1[3-9][0-9]{9}$'`),
  ],
);

/** A volunteer serving with an organization; leaving sets `left_at`, rejoining adds a new row. */
export const memberships = pgTable(
  'memberships',
  {
    id: id(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    organizationId: uuid('organization_id').notNull().references(() => organizations.id),
    volunteerId: uuid('volunteer_id').notNull().references(() => volunteers.id),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('memberships_active_unique').on(t.organizationId, t.volunteerId).where(sql`${t.leftAt} is null`),
    index('memberships_organization_idx').on(t.communityId, t.organizationId, t.id),
    index('memberships_volunteer_idx').on(t.volunteerId),
  ],
);
