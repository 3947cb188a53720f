import type { Database } from '../../db/client.js';
import type { RequestContext } from '../../lib/context.js';
import { AppError } from '../../lib/errors.js';
import { addDayMinutes, countedMinutes, DAY_CAP_MINUTES, lockDays } from './day-minutes.js';
import { loadReferences } from './entry-references.js';
import { checkReferences, isPrivileged, RuleErrors, singleField, type EntryDraft } from './entry-rules.js';
import type { PatchEntryInput } from './entry-schemas.js';
import { transition } from './entry-transitions.js';
import { updateEntry } from './entry-repository.js';
import { overlappingItems } from './entry-writer.js';
import { translateConstraint } from './entry-recorder.js';
import { iso } from './entry-view.js';

/**
 * Corrects a pending entry under the same rules as recording it; the day's counted minutes move
 * from the old day and amount to the new ones. Approved entries never change (void + new entry).
 */
export async function correctEntry(db: Database, ctx: RequestContext, id: string, input: PatchEntryInput) {
  try {
    return await transition(db, ctx, id, 'corrected', 'pending', async (tx, before) => {
      const draft: EntryDraft = {
        volunteerId: before.volunteerId,
        organizationId: before.organizationId,
        categoryId: input.categoryId ?? before.categoryId,
        servedOn: input.servedOn ?? before.servedOn,
        minutes: input.minutes ?? before.minutes,
        startedAt: input.startedAt !== undefined ? input.startedAt : iso(before.startedAt),
        endedAt: input.endedAt !== undefined ? input.endedAt : iso(before.endedAt),
      };
      const errors = new RuleErrors(singleField, false);
      checkReferences(ctx.actor, [draft], await loadReferences(tx, [draft], { memberships: !isPrivileged(ctx.actor) }), errors);
      if (errors.list.length === 0) {
        const oldDay = { communityId: before.communityId, volunteerId: before.volunteerId, servedOn: before.servedOn, minutes: -before.minutes };
        const newDay = { communityId: before.communityId, volunteerId: before.volunteerId, servedOn: draft.servedOn, minutes: draft.minutes };
        const counted = await lockDays(tx, [oldDay, newDay].sort((a, b) => (a.servedOn < b.servedOn ? -1 : 1)));
        const sameDay = draft.servedOn === before.servedOn;
        const total = countedMinutes(counted, draft.volunteerId, draft.servedOn) - (sameDay ? before.minutes : 0) + draft.minutes;
        if (total > DAY_CAP_MINUTES) errors.add(0, 'minutes', `would bring the volunteer's ${draft.servedOn} to ${total} minutes; the cap is ${DAY_CAP_MINUTES}`);
        if (draft.startedAt && draft.endedAt) {
          const overlaps = await overlappingItems(tx, [{ index: 0, volunteerId: draft.volunteerId, startedAt: draft.startedAt, endedAt: draft.endedAt }], id);
          if (overlaps.length > 0) errors.add(0, 'startedAt', 'overlaps another pending or approved entry of this volunteer');
        }
        if (errors.list.length === 0) await addDayMinutes(tx, [oldDay, newDay]);
      }
      if (errors.list.length > 0) throw new AppError('rule_violated', errors.list.map((e) => `${e.field} ${e.message}`).join('; '), { errors: errors.list });
      return updateEntry(tx, id, {
        categoryId: draft.categoryId,
        servedOn: draft.servedOn,
        minutes: draft.minutes,
        startedAt: draft.startedAt ? new Date(draft.startedAt) : null,
        endedAt: draft.endedAt ? new Date(draft.endedAt) : null,
        ...(input.activityId !== undefined ? { activityId: input.activityId } : {}),
        ...(input.location !== undefined ? { location: input.location } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      });
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    return translateConstraint(err, false);
  }
}
