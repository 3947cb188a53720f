import { sql } from 'drizzle-orm';
import { check, date, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.js';
import { communities } from './communities.js';
import { organizations } from './organizations.js';
import { serviceCategories } from './service-categories.js';

/** A co-construction agreement (共驻共建协议) between the community and a resident unit. */
export const agreements = pgTable(
  'agreements',
  {
    id: id(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    organizationId: uuid('organization_id').notNull().references(() => organizations.id),
    title: text('title').notNull(),
    signedOn: date('signed_on', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    terminatedAt: timestamp('terminated_at', { withTimezone: true }),
    terminationReason: text('termination_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('agreements_community_idx').on(t.communityId, t.id),
    index('agreements_organization_idx').on(t.organizationId),
    check('agreements_dates_ordered', sql`${t.validUntil} is null or ${t.signedOn} <= ${t.validUntil}`),
  ],
);

export const LOVE_CARD_STATUSES = ['active', 'released'] as const;

/** A love card (爱心卡): a resident unit's claim to provide one service category. */
export const loveCards = pgTable(
  'love_cards',
  {
    id: id(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    organizationId: uuid('organization_id').notNull().references(() => organizations.id),
    categoryId: uuid('category_id').notNull().references(() => serviceCategories.id),
    claimedOn: date('claimed_on', { mode: 'string' }).notNull(),
    pledge: text('pledge'),
    status: text('status', { enum: LOVE_CARD_STATUSES }).notNull().default('active'),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('love_cards_active_unique').on(t.organizationId, t.categoryId).where(sql`${t.status} = 'active'`),
    index('love_cards_community_idx').on(t.communityId, t.id),
    check('love_cards_status_known', sql`${t.status} in ('active','released')`),
  ],
);
