import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { array, queryRows } from '../../db/raw.js';

const idsOf = (rows: ReadonlyArray<Record<string, unknown>>, key: string): string[] =>
  [...new Set(rows.map((r) => r[key]).filter((v): v is string => typeof v === 'string'))];

/** Readable names beside every id, so a spreadsheet needs no second lookup. Volunteers get their code only. */
export async function addLabels(db: Executor, rows: Array<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  const communityIds = idsOf(rows, 'communityId');
  const organizationIds = idsOf(rows, 'organizationId');
  const categoryIds = idsOf(rows, 'categoryId');
  const volunteerIds = idsOf(rows, 'volunteerId');
  const communities = communityIds.length === 0 ? [] : await queryRows<{ id: string; name: string }>(db, sql`select id, name from communities where id = any(${array(communityIds)}::uuid[])`);
  const organizations = organizationIds.length === 0 ? [] : await queryRows<{ id: string; name: string }>(db, sql`select id, name from organizations where id = any(${array(organizationIds)}::uuid[])`);
  const categories = categoryIds.length === 0 ? [] : await queryRows<{ id: string; code: string; name: string }>(db, sql`select id, code, name from service_categories where id = any(${array(categoryIds)}::uuid[])`);
  const volunteers = volunteerIds.length === 0 ? [] : await queryRows<{ id: string; code: string }>(db, sql`select id, volunteer_code as code from volunteers where id = any(${array(volunteerIds)}::uuid[])`);
  const communityName = new Map(communities.map((c) => [c.id, c.name]));
  const organizationName = new Map(organizations.map((o) => [o.id, o.name]));
  const category = new Map(categories.map((c) => [c.id, c]));
  const volunteerCode = new Map(volunteers.map((v) => [v.id, v.code]));
  for (const row of rows) {
    if (typeof row.communityId === 'string') row.communityName = communityName.get(row.communityId) ?? null;
    if (typeof row.organizationId === 'string') row.organizationName = organizationName.get(row.organizationId) ?? null;
    if (typeof row.categoryId === 'string') {
      row.categoryCode = category.get(row.categoryId)?.code ?? null;
      row.categoryName = category.get(row.categoryId)?.name ?? null;
    }
    if (typeof row.volunteerId === 'string') row.volunteerCode = volunteerCode.get(row.volunteerId) ?? null;
  }
}
