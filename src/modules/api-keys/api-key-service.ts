import type { Database, Executor } from '../../db/client.js';
import type { RequestContext } from '../../lib/context.js';
import { forbidden, invalidField, notFound } from '../../lib/errors.js';
import { decodeCursor, toPage, type Page, type PageParams } from '../../lib/pagination.js';
import { inTransaction } from '../../lib/transaction.js';
import type { Actor } from '../../plugins/auth/actor.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findCommunity } from '../communities/community-repository.js';
import { findOrganization, type OrganizationRow } from '../organizations/organization-repository.js';
import { findApiKey, hasActiveAdminKey, insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRow, type NewApiKeyRow } from './api-key-repository.js';
import { generateSecret, hashSecret } from './api-key-secret.js';
import { toApiKey, type CreateApiKeyInput } from './api-key-schemas.js';
import type { KeyVerifier } from './key-verifier.js';

type ApiKeyView = ReturnType<typeof toApiKey>;

/** Checks the scope fields fit the role, before anything is looked up. */
function assertScopeShape(input: CreateApiKeyInput): void {
  switch (input.role) {
    case 'admin':
      for (const field of ['communityId', 'organizationId', 'regionCode'] as const) {
        if (input[field]) throw invalidField(field, 'an admin key has no scope');
      }
      return;
    case 'community_admin':
      if (!input.communityId) throw invalidField('communityId', 'is required for a community_admin key');
      if (input.organizationId) throw invalidField('organizationId', 'only a coordinator key names an organization');
      if (input.regionCode) throw invalidField('regionCode', 'only a reporter key names a region');
      return;
    case 'coordinator':
      if (!input.organizationId) throw invalidField('organizationId', 'is required for a coordinator key');
      if (input.regionCode) throw invalidField('regionCode', 'only a reporter key names a region');
      return;
    case 'reporter':
      if (input.organizationId) throw invalidField('organizationId', 'only a coordinator key names an organization');
      if (input.communityId && input.regionCode) throw invalidField('regionCode', 'give either communityId or regionCode, not both');
      return;
    default:
      throw invalidField('role', 'is unknown');
  }
}

/** Only an admin key may create admin keys; answered before anything else about the body. */
function assertMayIssueRole(actor: Actor, role: CreateApiKeyInput['role']): void {
  if (actor.role !== 'admin' && role === 'admin') throw forbidden('Only an admin key may create admin keys');
}

/**
 * A community admin may mint keys only inside its own community. Answered before whether the
 * scope's objects exist: a missing organization is refused like a foreign one, so ids of other
 * communities cannot be probed.
 */
function assertOwnCommunity(actor: Actor, input: CreateApiKeyInput, organization: OrganizationRow | undefined): void {
  if (actor.role === 'admin') return;
  const community = input.role === 'coordinator' ? organization?.communityId : input.communityId;
  if (!community || community !== actor.communityId) throw forbidden('A community admin key may create keys only for its own community');
}

/** Checks the scope fields name real objects, and returns the row's scope columns. */
async function resolveScope(db: Executor, input: CreateApiKeyInput, organization: OrganizationRow | undefined): Promise<Pick<NewApiKeyRow, 'communityId' | 'organizationId' | 'regionCode'>> {
  const none = { communityId: null, organizationId: null, regionCode: null };
  switch (input.role) {
    case 'community_admin':
      if (!(await findCommunity(db, input.communityId!))) throw invalidField('communityId', 'does not exist');
      return { ...none, communityId: input.communityId! };
    case 'coordinator': {
      if (!organization) throw invalidField('organizationId', 'does not exist');
      if (input.communityId && input.communityId !== organization.communityId) throw invalidField('communityId', 'is not the organization\'s community');
      return { ...none, communityId: organization.communityId, organizationId: organization.id };
    }
    case 'reporter':
      if (input.communityId && !(await findCommunity(db, input.communityId))) throw invalidField('communityId', 'does not exist');
      return { ...none, communityId: input.communityId ?? null, regionCode: input.regionCode ?? null };
    default:
      return none;
  }
}

function sees(actor: Actor, row: ApiKeyRow | undefined): row is ApiKeyRow {
  return !!row && (actor.role === 'admin' || (row.communityId !== null && row.communityId === actor.communityId));
}

export async function issueKey(db: Executor, row: Omit<NewApiKeyRow, 'lookup' | 'secretHash' | 'start'>, secret = generateSecret()): Promise<{ row: ApiKeyRow; secret: string }> {
  const created = await insertApiKey(db, { ...row, ...hashSecret(secret) });
  return { row: created, secret };
}

/** At start-up: if no admin key exists, make one (from BOOTSTRAP_ADMIN_KEY or random) and hand back its secret. */
export async function ensureBootstrapAdminKey(db: Database, secret?: string): Promise<string | null> {
  if (await hasActiveAdminKey(db)) return null;
  const { secret: issued } = await issueKey(db, { name: 'bootstrap admin', role: 'admin' }, secret);
  return issued;
}

export function createApiKeyService(db: Database, verifier: Pick<KeyVerifier, 'forget'>) {
  async function create(ctx: RequestContext, input: CreateApiKeyInput): Promise<ApiKeyView & { secret: string }> {
    assertMayIssueRole(ctx.actor, input.role);
    assertScopeShape(input);
    // A coordinator key's organization, read once for both checks.
    const organization = input.role === 'coordinator' && input.organizationId ? await findOrganization(db, input.organizationId) : undefined;
    assertOwnCommunity(ctx.actor, input, organization);
    const scope = await resolveScope(db, input, organization);
    return inTransaction(db, async (tx) => {
      const { row, secret } = await issueKey(tx, { name: input.name, role: input.role, ...scope, createdByKeyId: ctx.actor.keyId });
      const view = toApiKey(row);
      await recordAudit(tx, ctx, { action: 'api_key.created', entityType: 'api_key', entityId: row.id, communityId: row.communityId, after: view });
      return { ...view, secret };
    });
  }

  async function list(ctx: RequestContext, query: PageParams & { communityId?: string }): Promise<Page<ApiKeyView>> {
    const communityId = ctx.actor.role === 'admin' ? query.communityId : ctx.actor.communityId ?? undefined;
    if (ctx.actor.role !== 'admin' && query.communityId && query.communityId !== communityId) return { data: [], nextCursor: null };
    const rows = await listApiKeys(db, {
      ...(communityId ? { communityId } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toApiKey);
  }

  async function get(ctx: RequestContext, id: string): Promise<ApiKeyView> {
    const row = await findApiKey(db, id);
    if (!sees(ctx.actor, row)) throw notFound('API key');
    return toApiKey(row);
  }

  /** Revoking is final and idempotent; the row stays so audit events keep naming their actor. */
  async function revoke(ctx: RequestContext, id: string): Promise<void> {
    await inTransaction(db, async (tx) => {
      const before = await findApiKey(tx, id);
      if (!sees(ctx.actor, before)) throw notFound('API key');
      const after = await revokeApiKey(tx, id);
      if (after) await recordAudit(tx, ctx, { action: 'api_key.revoked', entityType: 'api_key', entityId: id, communityId: after.communityId, before: toApiKey(before), after: toApiKey(after) });
    });
    verifier.forget(id);
  }

  return { create, list, get, revoke };
}
