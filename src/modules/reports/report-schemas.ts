import { Type } from 'typebox';
import { DateOnly, Nullable, RegionPrefix, Uuid } from '../../lib/schema-types.js';

const Figures = {
  minutes: Type.Integer({ minimum: 0, maximum: 9_007_199_254_740_991, format: 'int64', description: 'Exact approved minutes' }),
  hours: Type.Number({ minimum: 0, maximum: 1e15, description: 'minutes / 60, rounded to 2 decimals' }),
  entries: Type.Integer({ minimum: 0, maximum: 2_147_483_647, format: 'int32' }),
  volunteers: Type.Integer({ minimum: 0, maximum: 2_147_483_647, format: 'int32', description: 'Distinct people, never a sum of rows' }),
};
const Label = Nullable(Type.String({ maxLength: 200 }));

export const ReportQuery = {
  communityId: Type.Optional(Uuid),
  regionCode: Type.Optional(RegionPrefix),
  from: Type.Optional({ ...DateOnly, description: 'First servedOn counted (inclusive)' }),
  to: Type.Optional({ ...DateOnly, description: 'Last servedOn counted (inclusive)' }),
  organizationId: Type.Optional(Uuid),
  categoryId: Type.Optional(Uuid),
  format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'Or send `Accept: text/csv`' })),
};

export const SummaryQuery = Type.Object(ReportQuery, { additionalProperties: false });
export const FormatQuery = Type.Object({ format: ReportQuery.format }, { additionalProperties: false });
export const HoursQuery = Type.Object({
  ...ReportQuery,
  groupBy: Type.String({
    minLength: 1, maxLength: 40, pattern: '^[a-z]+(,[a-z]+)?$',
    description: 'One or two of community, organization, category, volunteer, day, week, month, quarter, year (at most one time dimension)',
    examples: ['organization,month'],
  }),
}, { additionalProperties: false });

export const TotalsSchema = Type.Object(Figures, { title: 'Totals' });

export const HoursRow = Type.Object({
  communityId: Type.Optional(Uuid),
  communityName: Type.Optional(Label),
  organizationId: Type.Optional(Uuid),
  organizationName: Type.Optional(Label),
  categoryId: Type.Optional(Uuid),
  categoryCode: Type.Optional(Label),
  categoryName: Type.Optional(Label),
  volunteerId: Type.Optional(Uuid),
  volunteerCode: Type.Optional(Label),
  period: Type.Optional(Type.String({ maxLength: 10, examples: ['2026-03', '2026-W11', '2026-Q1'] })),
  ...Figures,
}, { title: 'HoursRow' });

export const HoursReport = Type.Object({
  rows: Type.Array(HoursRow, { maxItems: 1_000_000 }),
  totals: TotalsSchema,
}, { title: 'HoursReport' });

export const SummaryReport = Type.Object({
  volunteers: Type.Object({ registered: Figures.entries, active: Figures.volunteers }),
  entries: Figures.entries,
  minutes: Figures.minutes,
  hours: Figures.hours,
  organizations: Figures.entries,
  loveCards: Type.Object({ active: Figures.entries }),
  agreements: Type.Object({ active: Figures.entries }),
  averageHoursPerActiveVolunteer: Nullable(Type.Number({ minimum: 0, maximum: 1e9 })),
  registrationRate: Nullable(Type.Number({ minimum: 0, maximum: 1e6, description: 'Registered volunteers / population' })),
}, { title: 'SummaryReport' });

export const LoveCardsReport = Type.Object({
  rows: Type.Array(Type.Object({
    categoryId: Uuid,
    communityId: Uuid,
    code: Type.String({ maxLength: 64 }),
    name: Type.String({ maxLength: 200 }),
    claims: Type.Array(Type.Object({ organizationId: Uuid, organizationName: Type.String({ maxLength: 200 }), claimedOn: DateOnly }), { maxItems: 10_000 }),
    ...Figures,
  }), { maxItems: 100_000 }),
}, { title: 'LoveCardsReport' });

export const PartyMembersReport = Type.Object({
  rows: Type.Array(Type.Object({
    workplaceOrganizationId: Nullable(Uuid),
    workplaceOrganizationName: Label,
    ...Figures,
  }), { maxItems: 100_000 }),
  totals: TotalsSchema,
}, { title: 'PartyMembersReport' });

const Breakdown = { minutes: Figures.minutes, hours: Figures.hours, entries: Figures.entries };
export const ServiceRecordSchema = Type.Object({
  volunteer: Type.Object({ id: Uuid, volunteerCode: Type.String({ maxLength: 20 }), name: Type.String({ maxLength: 50 }), communityId: Uuid }),
  ...Breakdown,
  starLevel: Type.Integer({ minimum: 0, maximum: 5, format: 'int32' }),
  starThresholds: Type.Array(Type.Integer({ minimum: 1, maximum: 1_000_000, format: 'int32' }), { maxItems: 5 }),
  byCategory: Type.Array(Type.Object({ categoryId: Uuid, code: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 200 }), ...Breakdown }), { maxItems: 1000 }),
  byOrganization: Type.Array(Type.Object({ organizationId: Uuid, name: Type.String({ maxLength: 200 }), ...Breakdown }), { maxItems: 1000 }),
}, { title: 'ServiceRecord' });

export const CsvBody = Type.String({ maxLength: 1_000_000_000, description: 'UTF-8 CSV (RFC 4180) with a header row' });
