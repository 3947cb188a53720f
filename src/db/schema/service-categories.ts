import { boolean, index, pgTable, text, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns.js';
import { communities } from './communities.js';

export const serviceCategories = pgTable(
  'service_categories',
  {
    id: id(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    code: varchar('code', { length: 64 }).notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('service_categories_code_unique').on(t.communityId, t.code),
    index('service_categories_community_idx').on(t.communityId, t.id),
  ],
);
