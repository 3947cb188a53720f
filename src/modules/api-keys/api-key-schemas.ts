import { Type, type Static } from 'typebox';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { Instant, Name, Nullable, RegionPrefix, Uuid } from '../../lib/schema-types.js';
import type { ApiKeyRow } from './api-key-repository.js';

export const RoleSchema = Type.Enum(['admin', 'community_admin', 'coordinator', 'reporter'], { description: 'See "Who may do what"' });

export const CreateApiKeyBody = Type.Object({
  name: Name,
  role: RoleSchema,
  communityId: Type.Optional(Uuid),
  organizationId: Type.Optional(Uuid),
  regionCode: Type.Optional(RegionPrefix),
}, {
  additionalProperties: false,
  examples: [{ name: 'Wei Shuiyuan office', role: 'community_admin', communityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70' }],
});
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;

export const ApiKey = Type.Object({
  id: Uuid,
  name: Name,
  role: RoleSchema,
  communityId: Nullable(Uuid),
  organizationId: Nullable(Uuid),
  regionCode: Nullable(RegionPrefix),
  start: Type.String({ maxLength: 12, description: 'First characters of the secret, to tell keys apart' }),
  createdAt: Instant,
  revokedAt: Nullable(Instant),
}, { title: 'ApiKey' });

export const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  secret: Type.String({ maxLength: 200, description: 'The key itself. Shown only in this response; store it now.' }),
}, { title: 'CreatedApiKey' });

export const ApiKeyQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });

export const ApiKeyPage = pageOf(ApiKey);

export function toApiKey(row: ApiKeyRow): Static<typeof ApiKey> {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    communityId: row.communityId,
    organizationId: row.organizationId,
    regionCode: row.regionCode,
    start: row.start,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  };
}
