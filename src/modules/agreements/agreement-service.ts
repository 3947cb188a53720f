import type { Database, Executor } from '../../db/client.js';
import { checkViolation } from '../../db/errors.js';
import type { RequestContext } from '../../lib/context.js';
import { conflict, invalidField } from '../../lib/errors.js';
import { decodeCursor, toPage, type Page } from '../../lib/pagination.js';
import { assertSeesOrganization, listScope, seesCommunity, seesOrganization } from '../../lib/scope.js';
import { isCalendarDate } from '../../lib/time.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findCommunity } from '../communities/community-repository.js';
import { findOrganization } from '../organizations/organization-repository.js';
import {
  findAgreement, insertAgreement, listAgreements, updateAgreement, type AgreementRecord, type AgreementRow,
} from './agreement-repository.js';
import {
  toAgreement, type AgreementQueryInput, type CreateAgreementInput, type PatchAgreementInput, type TerminateAgreementInput,
} from './agreement-schemas.js';

type AgreementView = ReturnType<typeof toAgreement>;

function assertDates(signedOn: string, validUntil: string | null, given: { signedOn?: unknown; validUntil?: unknown }): void {
  if (given.signedOn !== undefined && !isCalendarDate(signedOn)) throw invalidField('signedOn', 'is not a calendar date');
  if (given.validUntil !== undefined && validUntil !== null && !isCalendarDate(validUntil)) throw invalidField('validUntil', 'is not a calendar date');
  if (validUntil !== null && validUntil < signedOn) throw invalidField('validUntil', 'must not be before signedOn');
}

/** The CHECK `agreements_dates_ordered` backs the rule above; should it ever fire, it is the same 422. */
export function agreementWriteProblem(err: unknown): unknown {
  if (checkViolation(err) === 'agreements_dates_ordered') return invalidField('validUntil', 'must not be before signedOn');
  return err;
}

async function guardDates<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw agreementWriteProblem(err);
  }
}

async function signingOrganization(tx: Executor, ctx: RequestContext, input: CreateAgreementInput) {
  const community = await findCommunity(tx, input.communityId);
  if (!community || !seesCommunity(ctx.actor, community)) throw invalidField('communityId', 'does not name a community this key can use');
  // Locked so the organization cannot be archived while its agreement is being signed.
  const organization = await findOrganization(tx, input.organizationId, { forUpdate: true });
  if (!organization || organization.communityId !== community.id || !seesOrganization(ctx.actor, organization)) {
    throw invalidField('organizationId', 'does not name an organization of this community');
  }
  if (organization.archivedAt) throw invalidField('organizationId', 'is archived and can sign no new agreement');
  return community;
}

export function createAgreementService(db: Database) {
  async function create(ctx: RequestContext, input: CreateAgreementInput): Promise<AgreementView> {
    assertDates(input.signedOn, input.validUntil ?? null, input);
    return guardDates(() => inTransaction(db, async (tx) => {
      const community = await signingOrganization(tx, ctx, input);
      const row = await insertAgreement(tx, {
        communityId: community.id,
        organizationId: input.organizationId,
        title: input.title,
        signedOn: input.signedOn,
        validUntil: input.validUntil ?? null,
      });
      const view = toAgreement({ ...row, timezone: community.timezone });
      await recordAudit(tx, ctx, { action: 'agreement.created', entityType: 'agreement', entityId: row.id, communityId: row.communityId, after: view });
      return view;
    }));
  }

  async function visible(executor: Executor, ctx: RequestContext, id: string, forUpdate = false): Promise<AgreementRecord> {
    const row = await findAgreement(executor, id, { forUpdate });
    assertSeesOrganization(ctx.actor, row && { id: row.organizationId, communityId: row.communityId }, 'Agreement');
    return row!;
  }

  async function get(ctx: RequestContext, id: string): Promise<AgreementView> {
    return toAgreement(await visible(db, ctx, id));
  }

  async function list(ctx: RequestContext, query: AgreementQueryInput): Promise<Page<AgreementView>> {
    const scope = listScope(ctx.actor, query);
    if (!scope) return { data: [], nextCursor: null };
    const rows = await listAgreements(db, {
      ...scope,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toAgreement);
  }

  async function change(ctx: RequestContext, id: string, action: string, compute: (row: AgreementRecord) => Partial<AgreementRow>): Promise<AgreementView> {
    return guardDates(() => inTransaction(db, async (tx) => {
      const before = await visible(tx, ctx, id, true);
      const after = { ...(await updateAgreement(tx, id, compute(before))), timezone: before.timezone };
      const view = toAgreement(after);
      await recordAudit(tx, ctx, { action, entityType: 'agreement', entityId: id, communityId: after.communityId, before: toAgreement(before), after: view });
      return view;
    }));
  }

  async function patch(ctx: RequestContext, id: string, input: PatchAgreementInput): Promise<AgreementView> {
    return change(ctx, id, 'agreement.updated', (row) => {
      if (row.terminatedAt) throw conflict('A terminated agreement cannot be changed');
      const validUntil = input.validUntil === undefined ? row.validUntil : input.validUntil;
      assertDates(input.signedOn ?? row.signedOn, validUntil, input);
      return input;
    });
  }

  /** Terminating ends the agreement once; a second termination is a 409, so the first reason and time stand. */
  async function terminate(ctx: RequestContext, id: string, input: TerminateAgreementInput): Promise<AgreementView> {
    return change(ctx, id, 'agreement.terminated', (row) => {
      if (row.terminatedAt) throw conflict(`The agreement was already terminated at ${row.terminatedAt.toISOString()}`);
      return { terminatedAt: new Date(), terminationReason: input.reason ?? null };
    });
  }

  return { create, get, list, patch, terminate };
}
