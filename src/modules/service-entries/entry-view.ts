import type { serviceEntries } from '../../db/schema/index.js';
import type { EntryView } from './entry-schemas.js';

export type EntryRow = typeof serviceEntries.$inferSelect;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

export function toEntry(row: EntryRow): EntryView {
  return {
    id: row.id,
    communityId: row.communityId,
    volunteerId: row.volunteerId,
    organizationId: row.organizationId,
    categoryId: row.categoryId,
    servedOn: row.servedOn,
    minutes: row.minutes,
    activityId: row.activityId,
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    location: row.location,
    description: row.description,
    status: row.status,
    source: row.source,
    recordedByKeyId: row.recordedByKeyId,
    approvedByKeyId: row.approvedByKeyId,
    approvedAt: iso(row.approvedAt),
    rejectedByKeyId: row.rejectedByKeyId,
    rejectedAt: iso(row.rejectedAt),
    rejectionReason: row.rejectionReason,
    voidedByKeyId: row.voidedByKeyId,
    voidedAt: iso(row.voidedAt),
    voidReason: row.voidReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
