import type { Database, Executor } from '../../db/client.js';
import { appSecret } from '../../db/app-secrets.js';
import { uniqueViolation } from '../../db/errors.js';
import type { RequestContext } from '../../lib/context.js';
import { conflict, FieldErrors, invalidField, notFound, ruleViolated } from '../../lib/errors.js';
import { hashIdNumber, isFutureBirthDate, parseIdNumber } from '../../lib/id-number.js';
import { decodeCursor, toPage, type Page } from '../../lib/pagination.js';
import { normalizePhone } from '../../lib/phone.js';
import { listScope, seesCommunity } from '../../lib/scope.js';
import { isCalendarDate } from '../../lib/time.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findCommunity } from '../communities/community-repository.js';
import { findActiveMembership } from '../memberships/membership-repository.js';
import { enrolMember } from '../memberships/membership-service.js';
import { findOrganization } from '../organizations/organization-repository.js';
import {
  countStatusChange, findVolunteer, insertVolunteer, listVolunteers, nextMemberNo, scrubVolunteerAudit, updateVolunteer,
  type NewVolunteerRow, type VolunteerRow,
} from './volunteer-repository.js';
import type { PatchVolunteerInput, RegisterVolunteerInput, VolunteerQueryInput, VolunteerView } from './volunteer-schemas.js';
import { auditSnapshot, toVolunteer, wholePhoneEverywhere } from './volunteer-view.js';

const ERASED_NAME = '(erased)';

interface PersonalInput {
  phone?: string;
  idNumber?: string | null;
  birthDate?: string | null;
  workplaceOrganizationId?: string | null;
}

export function createVolunteerService(db: Database, piiHashKey?: string) {
  let hashKey: Promise<string> | undefined;
  // Read on the pool, so never inside a write's transaction (embedded PGlite runs one connection: a
  // second query there waits for the transaction forever); a failed read is tried again next time.
  const idHashKey = (): Promise<string> => (hashKey ??= appSecret(db, 'id_number_hash_key', piiHashKey).catch((err: unknown) => {
    hashKey = undefined;
    throw err;
  }));

  /** The key personalColumns hashes an ID number with, read before any transaction (see idHashKey). */
  const idKeyFor = async (input: PersonalInput): Promise<string | undefined> => (input.idNumber ? idHashKey() : undefined);

  /** Validates and normalises phone, ID number, birth date and workplace into row columns, reporting every bad field. */
  async function personalColumns(
    communityId: string, input: PersonalInput, idKey: string | undefined, current?: VolunteerRow, tx: Executor = db,
  ): Promise<Partial<NewVolunteerRow>> {
    const errors = new FieldErrors();
    const columns: Partial<NewVolunteerRow> = {};
    if (input.phone !== undefined) {
      const phone = normalizePhone(input.phone);
      if (phone) columns.phone = phone;
      else errors.add('phone', 'must be a mainland mobile number: 11 digits starting 13–19');
    }
    let birthDateValid = true;
    if (input.birthDate) {
      birthDateValid = isCalendarDate(input.birthDate) && !isFutureBirthDate(input.birthDate);
      if (birthDateValid) columns.birthDate = input.birthDate;
      else errors.add('birthDate', isCalendarDate(input.birthDate) ? 'is in the future' : 'is not a calendar date');
    } else if (input.birthDate === null) columns.birthDate = null;
    // The ID number on file fixes the birth date: it may change only together with (or after removing) the number.
    if (current?.idNumberHash && input.idNumber === undefined && input.birthDate !== undefined && input.birthDate !== current.birthDate) {
      errors.add('birthDate', 'must match the birth date in the ID number on file; send a new idNumber with it, or idNumber: null');
    }
    if (input.idNumber) {
      const parsed = parseIdNumber(input.idNumber);
      if (parsed === 'format') errors.add('idNumber', 'must be 17 digits and a check character (0-9 or X)');
      else if (parsed === 'check') errors.add('idNumber', 'fails the GB 11643 check character');
      else if (parsed === 'birth_date') errors.add('idNumber', 'does not contain a valid birth date');
      else if (input.birthDate && input.birthDate !== parsed.birthDate) {
        if (birthDateValid) errors.add('birthDate', 'does not match the birth date in idNumber');
      } else {
        columns.idNumberHash = hashIdNumber(parsed.normalized, idKey!);
        columns.idNumberLast4 = parsed.normalized.slice(-4);
        columns.birthDate = parsed.birthDate;
      }
    } else if (input.idNumber === null) {
      columns.idNumberHash = null;
      columns.idNumberLast4 = null;
    }
    if (input.workplaceOrganizationId) {
      const workplace = await findOrganization(tx, input.workplaceOrganizationId);
      if (!workplace || workplace.communityId !== communityId) errors.add('workplaceOrganizationId', 'does not name an organization of the volunteer\'s community');
      else columns.workplaceOrganizationId = workplace.id;
    } else if (input.workplaceOrganizationId === null) columns.workplaceOrganizationId = null;
    errors.throwIfAny();
    return columns;
  }

  async function guardDuplicates<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint === 'volunteers_phone_unique') throw conflict('A volunteer with this phone is already registered in this community');
      if (constraint === 'volunteers_id_number_unique') throw conflict('A volunteer with this ID number is already registered in this community');
      throw err;
    }
  }

  /** Coordinators see their organization's current members; others everything in their community. */
  async function sees(ctx: RequestContext, row: VolunteerRow | undefined, tx: Executor = db): Promise<boolean> {
    if (!row) return false;
    const { actor } = ctx;
    if (actor.role === 'admin') return true;
    if (actor.communityId !== row.communityId) return false;
    if (actor.role === 'coordinator') return (await findActiveMembership(tx, actor.organizationId!, row.id)) !== undefined;
    return actor.role === 'community_admin';
  }

  async function register(ctx: RequestContext, input: RegisterVolunteerInput): Promise<VolunteerView> {
    const community = await findCommunity(db, input.communityId);
    if (!community || !seesCommunity(ctx.actor, community)) throw invalidField('communityId', 'does not name a community this key can use');
    if (ctx.actor.role === 'coordinator' && ctx.actor.organizationId) {
      const organization = await findOrganization(db, ctx.actor.organizationId);
      if (organization?.archivedAt) throw ruleViolated('An archived organization takes no new members, so its coordinator cannot register volunteers');
    }
    const personal = await personalColumns(community.id, input, await idKeyFor(input));
    return guardDuplicates(() => inTransaction(db, async (tx) => {
      const row = await insertVolunteer(tx, {
        communityId: community.id,
        memberNo: await nextMemberNo(tx, community.id),
        name: input.name,
        phone: personal.phone!,
        gender: input.gender ?? null,
        politicalStatus: input.politicalStatus ?? 'masses',
        inServicePartyMember: input.inServicePartyMember ?? false,
        skills: input.skills ?? [],
        ...personal,
      });
      await recordAudit(tx, ctx, { action: 'volunteer.registered', entityType: 'volunteer', entityId: row.id, communityId: row.communityId, after: auditSnapshot(row) });
      // A coordinator registers people for its own organization, so they join it at once.
      if (ctx.actor.role === 'coordinator' && ctx.actor.organizationId) {
        await enrolMember(tx, ctx, { communityId: row.communityId, organizationId: ctx.actor.organizationId, volunteerId: row.id });
      }
      return toVolunteer(row, ctx.actor);
    }));
  }

  async function get(ctx: RequestContext, id: string): Promise<VolunteerView> {
    const row = await findVolunteer(db, id);
    if (!(await sees(ctx, row))) throw notFound('Volunteer');
    return toVolunteer(row!, ctx.actor);
  }

  async function list(ctx: RequestContext, query: VolunteerQueryInput): Promise<Page<VolunteerView>> {
    const scope = listScope(ctx.actor, query);
    if (!scope) return { data: [], nextCursor: null };
    const phone = query.q ? normalizePhone(query.q) : undefined;
    // Matching the last digits would let a key that sees masked phones recover the hidden ones digit by digit.
    const q = query.q?.trim();
    const phoneSuffix = q && /^\d{4,11}$/.test(q) && wholePhoneEverywhere(ctx.actor) ? q : undefined;
    const rows = await listVolunteers(db, {
      ...scope,
      ...(query.status ? { status: query.status } : {}),
      ...(query.q ? { q: query.q } : {}),
      ...(phone ? { phone } : {}),
      ...(phoneSuffix ? { phoneSuffix } : {}),
      ...(query.updatedSince ? { updatedSince: new Date(query.updatedSince) } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toPage(rows, query.limit, (row) => toVolunteer(row, ctx.actor));
  }

  async function patch(ctx: RequestContext, id: string, input: PatchVolunteerInput): Promise<VolunteerView> {
    const idKey = await idKeyFor(input);
    // One locked read: the checks (ID number against birth date, workplace) see the row the update changes.
    return guardDuplicates(() => inTransaction(db, async (tx) => {
      const before = await findVolunteer(tx, id, { forUpdate: true });
      if (!before || !(await sees(ctx, before, tx))) throw notFound('Volunteer');
      const personal = await personalColumns(before.communityId, input, idKey, before, tx);
      if (before.erasedAt) throw conflict('An erased volunteer cannot be changed');
      const { phone: _phone, idNumber: _idNumber, birthDate: _birthDate, workplaceOrganizationId: _workplace, ...plain } = input;
      const after = await updateVolunteer(tx, id, { ...plain, ...personal });
      await countStatusChange(tx, after.communityId, before.status, after.status);
      await recordAudit(tx, ctx, { action: 'volunteer.updated', entityType: 'volunteer', entityId: id, communityId: after.communityId, before: auditSnapshot(before), after: auditSnapshot(after) });
      return toVolunteer(after, ctx.actor);
    }));
  }

  /**
   * The right to be forgotten: name, phone and ID data are replaced, the volunteer is withdrawn,
   * and personal snapshots leave the audit trail. Every entry and total stays as it was.
   */
  async function erase(ctx: RequestContext, id: string): Promise<VolunteerView> {
    return inTransaction(db, async (tx) => {
      const before = await findVolunteer(tx, id, { forUpdate: true });
      if (!before || !(await sees(ctx, before, tx))) throw notFound('Volunteer');
      if (before.erasedAt) return toVolunteer(before, ctx.actor);
      const after = await updateVolunteer(tx, id, {
        name: ERASED_NAME, phone: null, idNumberHash: null, idNumberLast4: null, birthDate: null,
        gender: null, skills: [], status: 'withdrawn', erasedAt: new Date(),
      });
      await countStatusChange(tx, after.communityId, before.status, after.status);
      await scrubVolunteerAudit(tx, id);
      await recordAudit(tx, ctx, { action: 'volunteer.erased', entityType: 'volunteer', entityId: id, communityId: after.communityId });
      return toVolunteer(after, ctx.actor);
    });
  }

  return { register, get, list, patch, erase, sees };
}
