import { Type, type Static } from 'typebox';
import { GENDERS, POLITICAL_STATUSES, VOLUNTEER_STATUSES } from '../../db/schema/index.js';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { DateOnly, Instant, Nullable, Uuid } from '../../lib/schema-types.js';

const PersonName = Type.String({ minLength: 1, maxLength: 50, examples: ['张伟'] });
const PhoneInput = Type.String({ minLength: 11, maxLength: 20, description: 'Mainland mobile number; +86, spaces and dashes are accepted', examples: ['13812341234'] });
const IdNumberInput = Type.String({ minLength: 18, maxLength: 18, description: 'Resident ID number (GB 11643). Never returned: only its last four characters are kept for display', examples: ['11010519491231002X'] });
const Skills = Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 20, uniqueItems: true, examples: [['first aid', '电工']] });
export const Gender = Type.Enum([...GENDERS]);
export const PoliticalStatus = Type.Enum([...POLITICAL_STATUSES]);
export const VolunteerStatus = Type.Enum([...VOLUNTEER_STATUSES], { description: '`withdrawn` keeps every hour; only active volunteers can record new entries' });

export const Volunteer = Type.Object({
  id: Uuid,
  communityId: Uuid,
  volunteerCode: Type.String({ maxLength: 20, description: 'Human-readable, unique, never reused', examples: ['V00000042'] }),
  name: PersonName,
  phone: Nullable(Type.String({ maxLength: 11, description: 'Whole for admins and the community\'s admins, masked (138****1234) for everyone else' })),
  gender: Nullable(Gender),
  birthDate: Nullable(DateOnly),
  politicalStatus: PoliticalStatus,
  inServicePartyMember: Type.Boolean(),
  workplaceOrganizationId: Nullable(Uuid),
  skills: Skills,
  idNumberLast4: Nullable(Type.String({ maxLength: 4, description: 'Last four characters of the ID number; the whole number is never stored' })),
  status: VolunteerStatus,
  erased: Type.Boolean({ description: 'Personal data was erased on request; hours and totals stay' }),
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'Volunteer' });

export const RegisterVolunteerBody = Type.Object({
  communityId: Uuid,
  name: PersonName,
  phone: PhoneInput,
  gender: Type.Optional(Gender),
  birthDate: Type.Optional(DateOnly),
  politicalStatus: Type.Optional(PoliticalStatus),
  inServicePartyMember: Type.Optional(Type.Boolean()),
  workplaceOrganizationId: Type.Optional(Uuid),
  skills: Type.Optional(Skills),
  idNumber: Type.Optional(IdNumberInput),
}, {
  additionalProperties: false,
  examples: [{ communityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70', name: '张伟', phone: '13812341234', politicalStatus: 'party_member', inServicePartyMember: true }],
});
export type RegisterVolunteerInput = Static<typeof RegisterVolunteerBody>;

export const PatchVolunteerBody = Type.Object({
  name: Type.Optional(PersonName),
  phone: Type.Optional(PhoneInput),
  gender: Type.Optional(Nullable(Gender)),
  birthDate: Type.Optional(Nullable(DateOnly)),
  politicalStatus: Type.Optional(PoliticalStatus),
  inServicePartyMember: Type.Optional(Type.Boolean()),
  workplaceOrganizationId: Type.Optional(Nullable(Uuid)),
  skills: Type.Optional(Skills),
  idNumber: Type.Optional(Nullable(IdNumberInput)),
  status: Type.Optional(VolunteerStatus),
}, { additionalProperties: false, minProperties: 1, examples: [{ status: 'inactive' }] });
export type PatchVolunteerInput = Static<typeof PatchVolunteerBody>;

export const VolunteerQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  organizationId: Type.Optional(Uuid),
  status: Type.Optional(VolunteerStatus),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Part of a name, a phone number (or its last digits), or a volunteer code' })),
  updatedSince: Type.Optional(Instant),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });
export type VolunteerQueryInput = Static<typeof VolunteerQuery>;

export const VolunteerPage = pageOf(Volunteer);
export type VolunteerView = Static<typeof Volunteer>;
