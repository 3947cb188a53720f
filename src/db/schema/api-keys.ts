import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { communities } from './communities.js';
import { organizations } from './organizations.js';

export const ROLES = ['admin', 'community_admin', 'coordinator', 'reporter'] as const;

/** Keys are stored only as a SHA-256 of the secret; `lookup` is a prefix of that hash to find the row. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    communityId: uuid('community_id').references(() => communities.id),
    organizationId: uuid('organization_id').references(() => organizations.id),
    regionCode: varchar('region_code', { length: 12 }),
    lookup: varchar('lookup', { length: 16 }).notNull().unique('api_keys_lookup_unique'),
    secretHash: varchar('secret_hash', { length: 64 }).notNull(),
    /** First characters of the secret, shown in lists so people can tell keys apart. */
    start: varchar('start', { length: 12 }).notNull(),
    createdByKeyId: uuid('created_by_key_id'),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('api_keys_community_idx').on(t.communityId, t.id),
    check('api_keys_role_known', sql`${t.role} in ('admin','community_admin','coordinator','reporter')`),
    check(
      'api_keys_scope_matches_role',
      sql`(${t.role} = 'admin' and ${t.communityId} is null and ${t.organizationId} is null and ${t.regionCode} is null)
       or (${t.role} = 'community_admin' and ${t.communityId} is not null and ${t.organizationId} is null)
       or (${t.role} = 'coordinator' and ${t.communityId} is not null and ${t.organizationId} is not null)
       or (${t.role} = 'reporter' and ${t.organizationId} is null and not (${t.communityId} is not null and ${t.regionCode} is not null))`,
    ),
  ],
);
