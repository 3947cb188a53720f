import { Type, type Static } from 'typebox';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { DateOnly, Instant, Name, Nullable, Uuid } from '../../lib/schema-types.js';
import { dateIn } from '../../lib/time.js';
import type { AgreementRecord, AgreementStatus } from './agreement-repository.js';

export const AgreementStatusSchema = Type.Enum(['active', 'expired', 'terminated'], {
  description: '`active`: not terminated and `validUntil` absent or not before the community\'s today; `expired`: past `validUntil`; `terminated`: ended early',
});
const Reason = Type.String({ minLength: 1, maxLength: 500 });

export const Agreement = Type.Object({
  id: Uuid,
  communityId: Uuid,
  organizationId: Uuid,
  title: Name,
  signedOn: DateOnly,
  validUntil: Nullable(DateOnly),
  active: Type.Boolean({ description: 'Whether the agreement is in force today, in the community\'s time zone' }),
  status: AgreementStatusSchema,
  terminatedAt: Nullable(Instant),
  terminationReason: Nullable(Reason),
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'Agreement' });

export const CreateAgreementBody = Type.Object({
  communityId: Uuid,
  organizationId: Uuid,
  title: Name,
  signedOn: DateOnly,
  validUntil: Type.Optional(Nullable(DateOnly)),
}, {
  additionalProperties: false,
  examples: [{
    communityId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70', organizationId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f71',
    title: '共驻共建协议书', signedOn: '2026-01-15', validUntil: '2028-12-31',
  }],
});
export type CreateAgreementInput = Static<typeof CreateAgreementBody>;

export const PatchAgreementBody = Type.Object({
  title: Type.Optional(Name),
  signedOn: Type.Optional(DateOnly),
  validUntil: Type.Optional(Nullable(DateOnly)),
}, { additionalProperties: false, minProperties: 1, examples: [{ validUntil: '2029-12-31' }] });
export type PatchAgreementInput = Static<typeof PatchAgreementBody>;

export const TerminateAgreementBody = Type.Object({
  reason: Type.Optional(Reason),
}, { additionalProperties: false, examples: [{ reason: '单位迁出本社区' }] });
export type TerminateAgreementInput = Static<typeof TerminateAgreementBody>;

export const AgreementQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  organizationId: Type.Optional(Uuid),
  status: Type.Optional(AgreementStatusSchema),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });
export type AgreementQueryInput = Static<typeof AgreementQuery>;

export const AgreementPage = pageOf(Agreement);

function agreementStatus(row: Pick<AgreementRecord, 'terminatedAt' | 'validUntil'>, today: string): AgreementStatus {
  if (row.terminatedAt) return 'terminated';
  // YYYY-MM-DD strings order as the dates they name.
  return row.validUntil === null || row.validUntil >= today ? 'active' : 'expired';
}

export function toAgreement(row: AgreementRecord): Static<typeof Agreement> {
  const status = agreementStatus(row, dateIn(row.timezone));
  return {
    id: row.id,
    communityId: row.communityId,
    organizationId: row.organizationId,
    title: row.title,
    signedOn: row.signedOn,
    validUntil: row.validUntil,
    active: status === 'active',
    status,
    terminatedAt: row.terminatedAt ? row.terminatedAt.toISOString() : null,
    terminationReason: row.terminationReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
