import { Type, type Static } from 'typebox';
import { ORGANIZATION_KINDS } from '../../db/schema/index.js';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { Instant, Name, Nullable, Uuid } from '../../lib/schema-types.js';
import type { OrganizationRow } from './organization-repository.js';

export const OrganizationKind = Type.Enum([...ORGANIZATION_KINDS]);
export const ApprovalPolicy = Type.Enum(['manual', 'auto'], {
  description: '`auto`: entries recorded by its coordinator or a community admin arrive approved; self-reports always wait',
});
const CreditCode = Type.String({
  minLength: 18, maxLength: 18, pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$',
  description: 'Unified social credit code (GB 32100), check character validated', examples: ['91350100M000100Y43'],
});

export const Organization = Type.Object({
  id: Uuid,
  communityId: Uuid,
  name: Name,
  kind: OrganizationKind,
  creditCode: Nullable(CreditCode),
  approvalPolicy: ApprovalPolicy,
  archived: Type.Boolean(),
  archivedAt: Nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'Organization' });

export const CreateOrganizationBody = Type.Object({
  communityId: Uuid,
  name: Name,
  kind: OrganizationKind,
  creditCode: Type.Optional(CreditCode),
  approvalPolicy: Type.Optional(ApprovalPolicy),
}, {
  additionalProperties: false,
  examples: [{ communityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70', name: '高新区第一小学', kind: 'school', creditCode: '91350100M000100Y43' }],
});
export type CreateOrganizationInput = Static<typeof CreateOrganizationBody>;

export const PatchOrganizationBody = Type.Object({
  name: Type.Optional(Name),
  kind: Type.Optional(OrganizationKind),
  creditCode: Type.Optional(Nullable(CreditCode)),
  approvalPolicy: Type.Optional(ApprovalPolicy),
}, { additionalProperties: false, minProperties: 1, examples: [{ approvalPolicy: 'auto' }] });
export type PatchOrganizationInput = Static<typeof PatchOrganizationBody>;

export const OrganizationQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  kind: Type.Optional(OrganizationKind),
  archived: Type.Optional(Type.Boolean({ description: 'true: only archived; false: only current; absent: both' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name' })),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });
export type OrganizationQueryInput = Static<typeof OrganizationQuery>;

export const OrganizationPage = pageOf(Organization);

export function toOrganization(row: OrganizationRow): Static<typeof Organization> {
  return {
    id: row.id,
    communityId: row.communityId,
    name: row.name,
    kind: row.kind,
    creditCode: row.creditCode,
    approvalPolicy: row.approvalPolicy,
    archived: row.archivedAt !== null,
    archivedAt: row.archivedAt ? row.archivedAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
