import type { Database, Executor } from '../../db/client.js';
import type { RequestContext } from '../../lib/context.js';
import { conflict, notFound } from '../../lib/errors.js';
import { inTransaction } from '../../lib/transaction.js';
import { recordAudit } from '../audit/audit-repository.js';
import { applyToRollups } from '../reports/rollup-writer.js';
import { addDayMinutes } from './day-minutes.js';
import { databaseNow, findEntry, updateEntry } from './entry-repository.js';
import { toEntry, type EntryRow } from './entry-view.js';

/** Coordinators act on their organization's entries, community admins on their community's. */
export function seesEntry(ctx: RequestContext, row: EntryRow | undefined): row is EntryRow {
  if (!row) return false;
  const { actor } = ctx;
  if (actor.role === 'admin') return true;
  if (actor.role === 'coordinator') return actor.organizationId === row.organizationId;
  return actor.role === 'community_admin' && actor.communityId === row.communityId;
}

/** Locks the entry, checks scope and the state it must be in, applies the change and audits it. */
export async function transition(
  db: Database, ctx: RequestContext, id: string, action: string, from: EntryRow['status'],
  change: (tx: Executor, row: EntryRow) => Promise<EntryRow>,
): Promise<ReturnType<typeof toEntry>> {
  return inTransaction(db, async (tx) => {
    const before = await findEntry(tx, id, { forUpdate: true });
    if (!seesEntry(ctx, before)) throw notFound('Service entry');
    if (before.status !== from) throw conflict(`Only ${from} entries can be ${action}; this one is ${before.status}`);
    const after = await change(tx, before);
    await recordAudit(tx, ctx, { action: `service_entry.${action}`, entityType: 'service_entry', entityId: id, communityId: after.communityId, before: toEntry(before), after: toEntry(after) });
    return toEntry(after);
  });
}

const uncount = (row: EntryRow) => [{ communityId: row.communityId, volunteerId: row.volunteerId, servedOn: row.servedOn, minutes: -row.minutes }];

export function createEntryTransitions(db: Database) {
  const approve = (ctx: RequestContext, id: string) => transition(db, ctx, id, 'approved', 'pending', async (tx, row) => {
    const after = await updateEntry(tx, row.id, { status: 'approved', approvedByKeyId: ctx.actor.keyId, approvedAt: databaseNow() });
    await applyToRollups(tx, [after], 1);
    return after;
  });

  const reject = (ctx: RequestContext, id: string, reason: string) => transition(db, ctx, id, 'rejected', 'pending', async (tx, row) => {
    await addDayMinutes(tx, uncount(row));
    return updateEntry(tx, row.id, { status: 'rejected', rejectedByKeyId: ctx.actor.keyId, rejectedAt: databaseNow(), rejectionReason: reason });
  });

  /** The only way to correct an approved entry: void it (it stops counting, stays visible) and record a new one. */
  const voidEntry = (ctx: RequestContext, id: string, reason: string) => transition(db, ctx, id, 'voided', 'approved', async (tx, row) => {
    await addDayMinutes(tx, uncount(row));
    const after = await updateEntry(tx, row.id, { status: 'voided', voidedByKeyId: ctx.actor.keyId, voidedAt: databaseNow(), voidReason: reason });
    await applyToRollups(tx, [after], -1);
    return after;
  });

  return { approve, reject, void: voidEntry };
}
