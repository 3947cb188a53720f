import { Type, type Static } from 'typebox';
import { LOVE_CARD_STATUSES } from '../../db/schema/index.js';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { DateOnly, Instant, Nullable, Uuid } from '../../lib/schema-types.js';
import type { LoveCardRow } from './love-card-repository.js';

export const LoveCardStatus = Type.Enum([...LOVE_CARD_STATUSES], {
  description: '`active`: the organization holds the category; `released`: it gave the claim up',
});
const Pledge = Type.String({ minLength: 1, maxLength: 500, description: 'What the organization commits to provide' });

export const LoveCard = Type.Object({
  id: Uuid,
  communityId: Uuid,
  organizationId: Uuid,
  categoryId: Uuid,
  claimedOn: DateOnly,
  pledge: Nullable(Pledge),
  status: LoveCardStatus,
  releasedAt: Nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'LoveCard' });

export const CreateLoveCardBody = Type.Object({
  organizationId: Uuid,
  categoryId: Uuid,
  claimedOn: Type.Optional(DateOnly),
  pledge: Type.Optional(Pledge),
}, {
  additionalProperties: false,
  examples: [{
    organizationId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f71', categoryId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f72',
    claimedOn: '2026-03-05', pledge: '每月第一个周六为辖区老人免费维修家电',
  }],
});
export type CreateLoveCardInput = Static<typeof CreateLoveCardBody>;

export const LoveCardQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  organizationId: Type.Optional(Uuid),
  categoryId: Type.Optional(Uuid),
  status: Type.Optional(LoveCardStatus),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });
export type LoveCardQueryInput = Static<typeof LoveCardQuery>;

export const LoveCardPage = pageOf(LoveCard);

export function toLoveCard(row: LoveCardRow): Static<typeof LoveCard> {
  return {
    id: row.id,
    communityId: row.communityId,
    organizationId: row.organizationId,
    categoryId: row.categoryId,
    claimedOn: row.claimedOn,
    pledge: row.pledge,
    status: row.status,
    releasedAt: row.releasedAt ? row.releasedAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
