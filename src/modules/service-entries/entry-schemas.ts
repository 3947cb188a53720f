import { Type, type Static } from 'typebox';
import { ENTRY_SOURCES, ENTRY_STATUSES } from '../../db/schema/index.js';
import { PageQuery, pageOf } from '../../lib/pagination.js';
import { DateOnly, Instant, Nullable, Uuid } from '../../lib/schema-types.js';

export const MAX_BATCH = 1000;

export const EntryStatus = Type.Enum([...ENTRY_STATUSES]);
export const EntrySource = Type.Enum([...ENTRY_SOURCES], { description: 'Where the entry came from; `self_report` always waits for a person to approve it' });
const Minutes = Type.Integer({ minimum: 1, maximum: 1440, format: 'int32', description: 'Whole minutes served, 1–1440', examples: [120] });
const Reason = Type.String({ minLength: 1, maxLength: 500 });

const entryFields = {
  volunteerId: Uuid,
  organizationId: Uuid,
  categoryId: Uuid,
  servedOn: { ...DateOnly, description: 'The day served, in the community\'s time zone; never in the future' },
  minutes: Minutes,
  activityId: Type.Optional(Uuid),
  startedAt: Type.Optional({ ...Instant, description: 'With endedAt: must lie on servedOn and span exactly `minutes`' }),
  endedAt: Type.Optional(Instant),
  location: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  source: Type.Optional(EntrySource),
};

export const RecordEntryBody = Type.Object(entryFields, {
  additionalProperties: false,
  examples: [{
    volunteerId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f71', organizationId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f72',
    categoryId: '0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f73', servedOn: '2026-03-14', minutes: 120, description: '小区环境整治',
  }],
});
export type RecordEntryInput = Static<typeof RecordEntryBody>;

export const BatchBody = Type.Object({
  entries: Type.Array(RecordEntryBody, { minItems: 1, maxItems: MAX_BATCH }),
}, { additionalProperties: false });
export type BatchInput = Static<typeof BatchBody>;

export const PatchEntryBody = Type.Object({
  categoryId: Type.Optional(Uuid),
  servedOn: Type.Optional(DateOnly),
  minutes: Type.Optional(Minutes),
  activityId: Type.Optional(Nullable(Uuid)),
  startedAt: Type.Optional(Nullable(Instant)),
  endedAt: Type.Optional(Nullable(Instant)),
  location: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  description: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 1000 }))),
}, { additionalProperties: false, minProperties: 1, examples: [{ minutes: 90 }] });
export type PatchEntryInput = Static<typeof PatchEntryBody>;

export const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false, examples: [{ reason: 'Recorded twice' }] });

export const ServiceEntry = Type.Object({
  id: Uuid,
  communityId: Uuid,
  volunteerId: Uuid,
  organizationId: Uuid,
  categoryId: Uuid,
  servedOn: DateOnly,
  minutes: Minutes,
  activityId: Nullable(Uuid),
  startedAt: Nullable(Instant),
  endedAt: Nullable(Instant),
  location: Nullable(Type.String({ maxLength: 200 })),
  description: Nullable(Type.String({ maxLength: 1000 })),
  status: EntryStatus,
  source: EntrySource,
  recordedByKeyId: Uuid,
  approvedByKeyId: Nullable(Uuid),
  approvedAt: Nullable(Instant),
  rejectedByKeyId: Nullable(Uuid),
  rejectedAt: Nullable(Instant),
  rejectionReason: Nullable(Reason),
  voidedByKeyId: Nullable(Uuid),
  voidedAt: Nullable(Instant),
  voidReason: Nullable(Reason),
  createdAt: Instant,
  updatedAt: Instant,
}, { title: 'ServiceEntry' });
export type EntryView = Static<typeof ServiceEntry>;

export const BatchResult = Type.Object({
  data: Type.Array(ServiceEntry, { maxItems: MAX_BATCH }),
}, { title: 'BatchResult' });

export const EntryQuery = Type.Object({
  communityId: Type.Optional(Uuid),
  organizationId: Type.Optional(Uuid),
  volunteerId: Type.Optional(Uuid),
  categoryId: Type.Optional(Uuid),
  status: Type.Optional(EntryStatus),
  from: Type.Optional({ ...DateOnly, description: 'servedOn on or after' }),
  to: Type.Optional({ ...DateOnly, description: 'servedOn on or before' }),
  updatedSince: Type.Optional(Instant),
  limit: PageQuery.limit,
  cursor: Type.Optional(PageQuery.cursor),
}, { additionalProperties: false });
export type EntryQueryInput = Static<typeof EntryQuery>;

export const EntryPage = pageOf(ServiceEntry);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Makes retries safe: the same key and body replay the first answer for 24 hours' })),
});
