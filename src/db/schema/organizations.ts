import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.js';
import { communities } from './communities.js';

export const ORGANIZATION_KINDS = [
  'volunteer_team', 'enterprise', 'public_institution', 'government_agency', 'school',
  'hospital', 'social_organization', 'shop', 'other',
] as const;
export const APPROVAL_POLICIES = ['manual', 'auto'] as const;

export const organizations = pgTable(
  'organizations',
  {
    id: id(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: ORGANIZATION_KINDS }).notNull(),
    creditCode: varchar('credit_code', { length: 18 }),
    approvalPolicy: text('approval_policy', { enum: APPROVAL_POLICIES }).notNull().default('manual'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('organizations_community_idx').on(t.communityId, t.id),
    uniqueIndex('organizations_credit_code_unique').on(t.communityId, t.creditCode),
    check('organizations_kind_known', sql`${t.kind} in ('volunteer_team','enterprise','public_institution','government_agency','school','hospital','social_organization','shop','other')`),
    check('organizations_approval_policy_known', sql`${t.approvalPolicy} in ('manual','auto')`),
  ],
);
