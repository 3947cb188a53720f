import { Type, type Static } from 'typebox';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { Instant, Name, Nullable, Uuid } from '../../lib/schema-types.js';
import type { CategoryRow } from './category-repository.js';

const Code = Type.String({
  minLength: 2, maxLength: 64, pattern: '^[a-z][a-z0-9_]{1,63}$',
  description: 'Stable snake_case code, unique in the community; reports key on it', examples: ['home_repair'],
});

export const ServiceCategory = Type.Object({
  id: Uuid,
  communityId: Uuid,
  code: Code,
  name: Name,
  nameEn: Nullable(Name),
  isDefault: Type.Boolean({ description: 'One of the fourteen categories every community starts with' }),
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'ServiceCategory' });

export const CreateCategoryBody = Type.Object({
  communityId: Uuid,
  code: Code,
  name: Name,
  nameEn: Type.Optional(Name),
}, { additionalProperties: false, examples: [{ communityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70', code: 'flood_watch', name: '防汛巡查', nameEn: 'Flood Watch' }] });
export type CreateCategoryInput = Static<typeof CreateCategoryBody>;

export const PatchCategoryBody = Type.Object({
  name: Type.Optional(Name),
  nameEn: Type.Optional(Nullable(Name)),
}, { additionalProperties: false, minProperties: 1, examples: [{ nameEn: 'Flood Patrol' }] });
export type PatchCategoryInput = Static<typeof PatchCategoryBody>;

export const CategoryQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  code: Type.Optional(Code),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });
export type CategoryQueryInput = Static<typeof CategoryQuery>;

export const CategoryPage = pageOf(ServiceCategory);

export function toCategory(row: CategoryRow): Static<typeof ServiceCategory> {
  return {
    id: row.id,
    communityId: row.communityId,
    code: row.code,
    name: row.name,
    nameEn: row.nameEn,
    isDefault: row.isDefault,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
