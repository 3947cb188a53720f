import { Type, type Static } from 'typebox';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { Instant, Uuid } from '../../lib/schema-types.js';
import { VolunteerStatus } from '../volunteers/volunteer-schemas.js';

export const Membership = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  volunteerId: Uuid,
  volunteerCode: Type.String({ maxLength: 20 }),
  name: Type.String({ maxLength: 50 }),
  volunteerStatus: VolunteerStatus,
  joinedAt: Instant,
}, { title: 'Membership' });
export type MembershipView = Static<typeof Membership>;

export const JoinBody = Type.Object({ volunteerId: Uuid }, { additionalProperties: false, examples: [{ volunteerId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f71' }] });
export const MemberParams = Type.Object({ id: Uuid, volunteerId: Uuid }, { additionalProperties: false });
export const MemberQuery = Type.Object({ limit: PageQuery.limit, cursor: Type.Optional(PageQuery.cursor) }, { additionalProperties: false });
export const MembershipPage = pageOf(Membership);
