import type { Database, Executor } from '../../db/client.js';
import type { RequestContext } from '../../lib/context.js';
import { invalidField, notFound, ruleViolated } from '../../lib/errors.js';
import { decodeCursor, toPage, type Page, type PageParams } from '../../lib/pagination.js';
import { assertSeesOrganization } from '../../lib/scope.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { findOrganization } from '../organizations/organization-repository.js';
import { findVolunteer, type VolunteerRow } from '../volunteers/volunteer-repository.js';
import { findActiveMembership, joinOrganization, leaveOrganization, listMembers, type MembershipRow } from './membership-repository.js';
import type { MembershipView } from './membership-schemas.js';

/**
 * Joins a volunteer to an organization (a no-op when already a member), auditing a new membership.
 * The volunteer must be of the organization's community and not withdrawn, and the organization
 * must take members: checked here, on their rows locked for share. Checked before the
 * transaction, an archive, a withdrawal or an erasure committing meanwhile (each locks the row for
 * update) went unseen, and left an active membership in an archived organization or of a
 * withdrawn volunteer. With the lock, whichever comes second waits for the other and sees its
 * change. Returns the volunteer as locked.
 */
export async function enrolMember(tx: Executor, ctx: RequestContext, row: { communityId: string; organizationId: string; volunteerId: string }): Promise<{ row: MembershipRow; created: boolean; volunteer: VolunteerRow }> {
  const organization = await findOrganization(tx, row.organizationId, { forShare: true });
  const volunteer = await findVolunteer(tx, row.volunteerId, { forShare: true });
  if (!volunteer || volunteer.communityId !== row.communityId) throw invalidField('volunteerId', 'does not name a volunteer of the organization\'s community');
  if (organization?.archivedAt) throw ruleViolated('An archived organization takes no new members');
  if (volunteer.status === 'withdrawn') throw invalidField('volunteerId', 'names a withdrawn volunteer');
  const joined = await joinOrganization(tx, row);
  if (joined.created) {
    await recordAudit(tx, ctx, { action: 'membership.created', entityType: 'membership', entityId: joined.row.id, communityId: row.communityId, after: { organizationId: row.organizationId, volunteerId: row.volunteerId } });
  }
  return { ...joined, volunteer };
}

export function createMembershipService(db: Database) {
  async function organizationInScope(ctx: RequestContext, organizationId: string) {
    const organization = await findOrganization(db, organizationId);
    assertSeesOrganization(ctx.actor, organization);
    return organization;
  }

  /** Joining twice is harmless: the second call answers with the existing membership. */
  async function join(ctx: RequestContext, organizationId: string, volunteerId: string): Promise<{ membership: MembershipView; created: boolean }> {
    const organization = await organizationInScope(ctx, organizationId);
    return inTransaction(db, async (tx) => {
      const { row, created, volunteer } = await enrolMember(tx, ctx, { communityId: organization.communityId, organizationId, volunteerId });
      const membership = {
        id: row.id, organizationId, volunteerId, volunteerCode: volunteer.volunteerCode, name: volunteer.name,
        volunteerStatus: volunteer.status, joinedAt: row.joinedAt.toISOString(),
      };
      return { membership, created };
    });
  }

  async function list(ctx: RequestContext, organizationId: string, page: PageParams): Promise<Page<MembershipView>> {
    const organization = await organizationInScope(ctx, organizationId);
    const rows = await listMembers(db, { communityId: organization.communityId, organizationId, ...(page.cursor ? { after: decodeCursor(page.cursor) } : {}), limit: page.limit });
    return toPage(rows, page.limit, (row) => ({
      id: row.id, organizationId: row.organizationId, volunteerId: row.volunteerId, volunteerCode: row.volunteerCode,
      name: row.name, volunteerStatus: row.status, joinedAt: row.joinedAt.toISOString(),
    }));
  }

  /** Leaving keeps the membership row (with left_at) and every hour served through it. */
  async function leave(ctx: RequestContext, organizationId: string, volunteerId: string): Promise<void> {
    await organizationInScope(ctx, organizationId);
    await inTransaction(db, async (tx) => {
      const membership = await findActiveMembership(tx, organizationId, volunteerId);
      if (!membership) throw notFound('Membership');
      const after = await leaveOrganization(tx, membership.id);
      if (!after) throw notFound('Membership');
      await recordAudit(tx, ctx, {
        action: 'membership.ended', entityType: 'membership', entityId: membership.id, communityId: membership.communityId,
        before: { organizationId, volunteerId, leftAt: null }, after: { organizationId, volunteerId, leftAt: after.leftAt!.toISOString() },
      });
    });
  }

  return { join, list, leave };
}
