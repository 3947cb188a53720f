import { maskPhone } from '../../lib/phone.js';
import type { Actor } from '../../plugins/auth/actor.js';
import type { VolunteerRow } from './volunteer-repository.js';
import type { VolunteerView } from './volunteer-schemas.js';

/** Phones are whole only for admins and the volunteer's own community admins. */
function seesWholePhone(actor: Actor, communityId: string): boolean {
  return actor.role === 'admin' || (actor.role === 'community_admin' && actor.communityId === communityId);
}

/** Whether a key sees whole phones of every volunteer a list can show it (admins; community admins are pinned to their community). */
export function wholePhoneEverywhere(actor: Actor): boolean {
  return actor.role === 'admin' || (actor.role === 'community_admin' && actor.communityId !== null);
}

export function toVolunteer(row: VolunteerRow, actor: Actor | null): VolunteerView {
  const phone = row.phone && actor && seesWholePhone(actor, row.communityId) ? row.phone : row.phone ? maskPhone(row.phone) : null;
  return {
    id: row.id,
    communityId: row.communityId,
    volunteerCode: row.volunteerCode,
    name: row.name,
    phone,
    gender: row.gender,
    birthDate: row.birthDate,
    politicalStatus: row.politicalStatus,
    inServicePartyMember: row.inServicePartyMember,
    workplaceOrganizationId: row.workplaceOrganizationId,
    skills: row.skills,
    idNumberLast4: row.idNumberLast4,
    status: row.status,
    erased: row.erasedAt !== null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the audit trail keeps of a volunteer: the masked view, as anyone reading audit may not see phones. */
export const auditSnapshot = (row: VolunteerRow): VolunteerView => toVolunteer(row, null);
