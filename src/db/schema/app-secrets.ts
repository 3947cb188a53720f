import { pgTable, text, varchar } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/**
 * Secrets the service generates for itself when config gives none (e.g. the key for hashing ID
 * numbers), so every instance and restart agrees on them. Production should set them in config.
 */
export const appSecrets = pgTable('app_secrets', {
  name: varchar('name', { length: 64 }).primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});
