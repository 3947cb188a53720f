import type { Database, Executor } from '../../db/client.js';
import { uniqueViolation } from '../../db/errors.js';
import type { RequestContext } from '../../lib/context.js';
import { conflict, invalidField } from '../../lib/errors.js';
import { decodeCursor, toPage, type Page } from '../../lib/pagination.js';
import { assertSeesOrganization, listScope, seesOrganization } from '../../lib/scope.js';
import { dateIn, isCalendarDate } from '../../lib/time.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findCommunity } from '../communities/community-repository.js';
import { findOrganization } from '../organizations/organization-repository.js';
import { findCategory } from '../service-categories/category-repository.js';
import {
  ACTIVE_CLAIM_UNIQUE, findLoveCard, insertLoveCard, listLoveCards, updateLoveCard, type LoveCardRow,
} from './love-card-repository.js';
import { toLoveCard, type CreateLoveCardInput, type LoveCardQueryInput } from './love-card-schemas.js';

type LoveCardView = ReturnType<typeof toLoveCard>;

async function claimant(tx: Executor, ctx: RequestContext, input: CreateLoveCardInput) {
  // Locked so the organization cannot be archived while it claims a category.
  const organization = await findOrganization(tx, input.organizationId, { forUpdate: true });
  if (!organization || !seesOrganization(ctx.actor, organization)) throw invalidField('organizationId', 'does not name an organization this key can use');
  if (organization.archivedAt) throw invalidField('organizationId', 'is archived and can claim no new category');
  const category = await findCategory(tx, input.categoryId);
  if (!category || category.communityId !== organization.communityId) {
    throw invalidField('categoryId', 'does not name a service category of the organization\'s community');
  }
  const community = await findCommunity(tx, organization.communityId);
  return { organization, timezone: community!.timezone };
}

export function createLoveCardService(db: Database) {
  /**
   * One active claim per organization and category is the partial unique index's rule, so a
   * concurrent second claim meets the same 409 as a later one.
   */
  async function create(ctx: RequestContext, input: CreateLoveCardInput): Promise<LoveCardView> {
    if (input.claimedOn !== undefined && !isCalendarDate(input.claimedOn)) throw invalidField('claimedOn', 'is not a calendar date');
    try {
      return await inTransaction(db, async (tx) => {
        const { organization, timezone } = await claimant(tx, ctx, input);
        const row = await insertLoveCard(tx, {
          communityId: organization.communityId,
          organizationId: organization.id,
          categoryId: input.categoryId,
          claimedOn: input.claimedOn ?? dateIn(timezone),
          pledge: input.pledge ?? null,
        });
        const view = toLoveCard(row);
        await recordAudit(tx, ctx, { action: 'love_card.claimed', entityType: 'love_card', entityId: row.id, communityId: row.communityId, after: view });
        return view;
      });
    } catch (err) {
      if (uniqueViolation(err) === ACTIVE_CLAIM_UNIQUE) throw conflict('The organization already holds an active claim of this category');
      throw err;
    }
  }

  async function visible(executor: Executor, ctx: RequestContext, id: string, forUpdate = false): Promise<LoveCardRow> {
    const row = await findLoveCard(executor, id, { forUpdate });
    assertSeesOrganization(ctx.actor, row && { id: row.organizationId, communityId: row.communityId }, 'Love card');
    return row!;
  }

  async function get(ctx: RequestContext, id: string): Promise<LoveCardView> {
    return toLoveCard(await visible(db, ctx, id));
  }

  async function list(ctx: RequestContext, query: LoveCardQueryInput): Promise<Page<LoveCardView>> {
    const scope = listScope(ctx.actor, query);
    if (!scope) return { data: [], nextCursor: null };
    const rows = await listLoveCards(db, {
      ...scope,
      ...(query.categoryId ? { categoryId: query.categoryId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toLoveCard);
  }

  /** Releasing gives the category up for good; the card stays as history and the category may be claimed anew. */
  async function release(ctx: RequestContext, id: string): Promise<LoveCardView> {
    return inTransaction(db, async (tx) => {
      const before = await visible(tx, ctx, id, true);
      if (before.status === 'released') throw conflict(`The love card was already released at ${before.releasedAt?.toISOString() ?? 'an earlier time'}`);
      const after = await updateLoveCard(tx, id, { status: 'released', releasedAt: new Date() });
      const view = toLoveCard(after);
      await recordAudit(tx, ctx, { action: 'love_card.released', entityType: 'love_card', entityId: id, communityId: after.communityId, before: toLoveCard(before), after: view });
      return view;
    });
  }

  return { create, get, list, release };
}
