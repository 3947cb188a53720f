import type { Database } from '../../db/client.js';
import { uniqueViolation } from '../../db/errors.js';
import type { RequestContext } from '../../lib/context.js';
import { conflict, invalidField } from '../../lib/errors.js';
import { isValidCreditCode } from '../../lib/credit-code.js';
import { decodeCursor, toPage, type Page } from '../../lib/pagination.js';
import { assertSeesOrganization, pinnedCommunity, seesCommunity } from '../../lib/scope.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findCommunity } from '../communities/community-repository.js';
import {
  findOrganization, insertOrganization, listOrganizations, updateOrganization, type OrganizationRow,
} from './organization-repository.js';
import {
  toOrganization, type CreateOrganizationInput, type OrganizationQueryInput, type PatchOrganizationInput,
} from './organization-schemas.js';

type OrganizationView = ReturnType<typeof toOrganization>;

function assertCreditCode(code: string | null | undefined): void {
  if (code && !isValidCreditCode(code)) throw invalidField('creditCode', 'fails the GB 32100 check character');
}

async function guardUnique<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (uniqueViolation(err) === 'organizations_credit_code_unique') throw conflict('Another organization in this community has this creditCode');
    throw err;
  }
}

export function createOrganizationService(db: Database) {
  async function create(ctx: RequestContext, input: CreateOrganizationInput): Promise<OrganizationView> {
    assertCreditCode(input.creditCode);
    const community = await findCommunity(db, input.communityId);
    if (!community || !seesCommunity(ctx.actor, community)) throw invalidField('communityId', 'does not name a community this key can use');
    return guardUnique(() => inTransaction(db, async (tx) => {
      const row = await insertOrganization(tx, {
        communityId: input.communityId,
        name: input.name,
        kind: input.kind,
        creditCode: input.creditCode ?? null,
        ...(input.approvalPolicy ? { approvalPolicy: input.approvalPolicy } : {}),
      });
      const view = toOrganization(row);
      await recordAudit(tx, ctx, { action: 'organization.created', entityType: 'organization', entityId: row.id, communityId: row.communityId, after: view });
      return view;
    }));
  }

  async function visible(ctx: RequestContext, id: string): Promise<OrganizationRow> {
    const row = await findOrganization(db, id);
    assertSeesOrganization(ctx.actor, row);
    return row;
  }

  async function get(ctx: RequestContext, id: string): Promise<OrganizationView> {
    return toOrganization(await visible(ctx, id));
  }

  async function list(ctx: RequestContext, query: OrganizationQueryInput): Promise<Page<OrganizationView>> {
    const pinned = pinnedCommunity(ctx.actor);
    if (pinned && query.communityId && query.communityId !== pinned) return { data: [], nextCursor: null };
    const communityId = pinned ?? query.communityId;
    const rows = await listOrganizations(db, {
      ...(communityId ? { communityId } : {}),
      ...(ctx.actor.role === 'coordinator' && ctx.actor.organizationId ? { id: ctx.actor.organizationId } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.archived !== undefined ? { archived: query.archived } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toOrganization);
  }

  async function change(ctx: RequestContext, id: string, action: string, compute: (row: OrganizationRow) => Partial<OrganizationRow> | null): Promise<OrganizationView> {
    return guardUnique(() => inTransaction(db, async (tx) => {
      const before = await findOrganization(tx, id, { forUpdate: true });
      assertSeesOrganization(ctx.actor, before);
      const changes = compute(before);
      if (!changes) return toOrganization(before);
      const after = await updateOrganization(tx, id, changes);
      const view = toOrganization(after);
      await recordAudit(tx, ctx, { action, entityType: 'organization', entityId: id, communityId: after.communityId, before: toOrganization(before), after: view });
      return view;
    }));
  }

  async function patch(ctx: RequestContext, id: string, input: PatchOrganizationInput): Promise<OrganizationView> {
    assertCreditCode(input.creditCode);
    return change(ctx, id, 'organization.updated', (row) => {
      if (row.archivedAt) throw conflict('An archived organization cannot be changed');
      return input;
    });
  }

  /** Archiving is the only way an organization leaves: its history stays in every report. */
  async function archive(ctx: RequestContext, id: string): Promise<OrganizationView> {
    return change(ctx, id, 'organization.archived', (row) => (row.archivedAt ? null : { archivedAt: new Date() }));
  }

  return { create, get, list, patch, archive, visible };
}

export type OrganizationService = ReturnType<typeof createOrganizationService>;
