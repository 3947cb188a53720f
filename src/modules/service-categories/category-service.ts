import type { Database } from '../../db/client.js';
import { uniqueViolation } from '../../db/errors.js';
import type { RequestContext } from '../../lib/context.js';
import { conflict, invalidField, notFound } from '../../lib/errors.js';
import { decodeCursor, toPage, type Page } from '../../lib/pagination.js';
import { pinnedCommunity, seesCommunity } from '../../lib/scope.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findCommunity } from '../communities/community-repository.js';
import { findCategory, insertCategory, listCategories, updateCategory, type CategoryRow } from './category-repository.js';
import { toCategory, type CategoryQueryInput, type CreateCategoryInput, type PatchCategoryInput } from './category-schemas.js';

type CategoryView = ReturnType<typeof toCategory>;

function sees(ctx: RequestContext, row: CategoryRow | undefined): row is CategoryRow {
  return !!row && (ctx.actor.role === 'admin' || ctx.actor.communityId === row.communityId);
}

export function createCategoryService(db: Database) {
  async function create(ctx: RequestContext, input: CreateCategoryInput): Promise<CategoryView> {
    const community = await findCommunity(db, input.communityId);
    if (!community || !seesCommunity(ctx.actor, community)) throw invalidField('communityId', 'does not name a community this key can use');
    try {
      return await inTransaction(db, async (tx) => {
        const row = await insertCategory(tx, { communityId: input.communityId, code: input.code, name: input.name, nameEn: input.nameEn ?? null });
        const view = toCategory(row);
        await recordAudit(tx, ctx, { action: 'service_category.created', entityType: 'service_category', entityId: row.id, communityId: row.communityId, after: view });
        return view;
      });
    } catch (err) {
      if (uniqueViolation(err) === 'service_categories_code_unique') throw conflict(`The community already has a category with code ${input.code}`);
      throw err;
    }
  }

  async function get(ctx: RequestContext, id: string): Promise<CategoryView> {
    const row = await findCategory(db, id);
    if (!sees(ctx, row)) throw notFound('Service category');
    return toCategory(row);
  }

  async function list(ctx: RequestContext, query: CategoryQueryInput): Promise<Page<CategoryView>> {
    const pinned = pinnedCommunity(ctx.actor);
    if (pinned && query.communityId && query.communityId !== pinned) return { data: [], nextCursor: null };
    const communityId = pinned ?? query.communityId;
    const rows = await listCategories(db, {
      ...(communityId ? { communityId } : {}),
      ...(query.code ? { code: query.code } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toCategory);
  }

  async function patch(ctx: RequestContext, id: string, input: PatchCategoryInput): Promise<CategoryView> {
    return inTransaction(db, async (tx) => {
      const before = await findCategory(tx, id, { forUpdate: true });
      if (!sees(ctx, before)) throw notFound('Service category');
      const after = await updateCategory(tx, id, input);
      const view = toCategory(after);
      await recordAudit(tx, ctx, { action: 'service_category.updated', entityType: 'service_category', entityId: id, communityId: after.communityId, before: toCategory(before), after: view });
      return view;
    });
  }

  return { create, get, list, patch };
}
