import { Type, type Static } from 'typebox';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { Instant, Name, Nullable, RegionCode, RegionPrefix, Uuid } from '../../lib/schema-types.js';
import type { CommunityRow } from './community-repository.js';

const Timezone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone; decides what "today" and "the future" mean', examples: ['Asia/Shanghai'] });
const Count = Type.Integer({ minimum: 0, maximum: 100_000_000, format: 'int32' });
const StarThresholds = Type.Array(Type.Integer({ minimum: 1, maximum: 1_000_000, format: 'int32' }), {
  minItems: 5, maxItems: 5,
  description: 'Cumulative approved hours for one to five stars, strictly increasing',
  examples: [[100, 300, 600, 1000, 1500]],
});

export const Community = Type.Object({
  id: Uuid,
  name: Name,
  regionCode: Nullable(RegionCode),
  timezone: Timezone,
  population: Nullable(Count),
  households: Nullable(Count),
  starThresholds: StarThresholds,
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'Community' });

export const CreateCommunityBody = Type.Object({
  name: Name,
  regionCode: Type.Optional(RegionCode),
  timezone: Type.Optional(Timezone),
  population: Type.Optional(Count),
  households: Type.Optional(Count),
  starThresholds: Type.Optional(StarThresholds),
}, {
  additionalProperties: false,
  examples: [{ name: '渭水苑社区', regionCode: '610302001001', population: 16000, households: 4900 }],
});
export type CreateCommunityInput = Static<typeof CreateCommunityBody>;

export const PatchCommunityBody = Type.Object({
  name: Type.Optional(Name),
  regionCode: Type.Optional(Nullable(RegionCode)),
  timezone: Type.Optional(Timezone),
  population: Type.Optional(Nullable(Count)),
  households: Type.Optional(Nullable(Count)),
  starThresholds: Type.Optional(StarThresholds),
}, { additionalProperties: false, minProperties: 1, examples: [{ population: 16200 }] });
export type PatchCommunityInput = Static<typeof PatchCommunityBody>;

export const CommunityQuery = Type.Object({
  regionCode: Type.Optional(RegionPrefix),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });

export const CommunityPage = pageOf(Community);

export function toCommunity(row: CommunityRow): Static<typeof Community> {
  return {
    id: row.id,
    name: row.name,
    regionCode: row.regionCode,
    timezone: row.timezone,
    population: row.population,
    households: row.households,
    starThresholds: row.starThresholds,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
