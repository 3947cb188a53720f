import type { Database } from '../../db/client.js';
import { serviceCategories } from '../../db/schema/index.js';
import type { RequestContext } from '../../lib/context.js';
import { invalidField, notFound } from '../../lib/errors.js';
import { decodeCursor, toPage, type Page, type PageParams } from '../../lib/pagination.js';
import { assertSeesCommunity, pinnedCommunity } from '../../lib/scope.js';
import { canonicalTimezone } from '../../lib/time.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit, recordAudits } from '../audit/audit-repository.js';
import { toCategory } from '../service-categories/category-schemas.js';
import { DEFAULT_CATEGORIES } from './default-categories.js';
import {
  findCommunity, findCommunityForUpdate, insertCommunity, listCommunities, updateCommunity, type CommunityRow,
} from './community-repository.js';
import { toCommunity, type CreateCommunityInput, type PatchCommunityInput } from './community-schemas.js';

type CommunityView = ReturnType<typeof toCommunity>;

function assertThresholds(thresholds: number[] | undefined): void {
  if (!thresholds) return;
  for (let i = 1; i < thresholds.length; i += 1) {
    if (thresholds[i]! <= thresholds[i - 1]!) throw invalidField('starThresholds', 'must be strictly increasing');
  }
}

export function createCommunityService(db: Database) {
  async function create(ctx: RequestContext, input: CreateCommunityInput): Promise<CommunityView> {
    const timezone = input.timezone ? canonicalTimezone(input.timezone) : undefined;
    assertThresholds(input.starThresholds);
    return inTransaction(db, async (tx) => {
      const row = await insertCommunity(tx, {
        name: input.name,
        regionCode: input.regionCode ?? null,
        population: input.population ?? null,
        households: input.households ?? null,
        ...(timezone ? { timezone } : {}),
        ...(input.starThresholds ? { starThresholds: input.starThresholds } : {}),
      });
      const categories = await tx.insert(serviceCategories)
        .values(DEFAULT_CATEGORIES.map((c) => ({ ...c, communityId: row.id, isDefault: true })))
        .returning();
      const view = toCommunity(row);
      await recordAudit(tx, ctx, { action: 'community.created', entityType: 'community', entityId: row.id, communityId: row.id, after: view });
      await recordAudits(tx, ctx, categories.map((c) => ({
        action: 'service_category.created', entityType: 'service_category', entityId: c.id, communityId: row.id, after: toCategory(c),
      })));
      return view;
    });
  }

  async function get(ctx: RequestContext, id: string): Promise<CommunityView> {
    const row = await findCommunity(db, id);
    assertSeesCommunity(ctx.actor, row);
    return toCommunity(row);
  }

  async function list(ctx: RequestContext, query: PageParams & { regionCode?: string }): Promise<Page<CommunityView>> {
    const pinned = pinnedCommunity(ctx.actor);
    const rows = await listCommunities(db, {
      ...(pinned ? { id: pinned } : {}),
      ...(query.regionCode ? { regionPrefix: query.regionCode } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toCommunity);
  }

  async function patch(ctx: RequestContext, id: string, input: PatchCommunityInput): Promise<CommunityView> {
    const changes = input.timezone ? { ...input, timezone: canonicalTimezone(input.timezone) } : input;
    assertThresholds(input.starThresholds);
    return inTransaction(db, async (tx) => {
      const before: CommunityRow | undefined = await findCommunityForUpdate(tx, id);
      assertSeesCommunity(ctx.actor, before);
      const after = await updateCommunity(tx, id, changes);
      const view = toCommunity(after);
      await recordAudit(tx, ctx, { action: 'community.updated', entityType: 'community', entityId: id, communityId: id, before: toCommunity(before), after: view });
      return view;
    });
  }

  /** For other modules: the community row, or 404 when it is missing or outside the key's scope. */
  async function visible(ctx: RequestContext, id: string, what = 'Community'): Promise<CommunityRow> {
    const row = await findCommunity(db, id);
    if (!row) throw notFound(what);
    assertSeesCommunity(ctx.actor, row, what);
    return row;
  }

  return { create, get, list, patch, visible };
}

export type CommunityService = ReturnType<typeof createCommunityService>;
