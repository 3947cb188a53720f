import type { FieldError } from '../../lib/errors.js';
import { dateIn, isCalendarDate } from '../../lib/time.js';
import type { Actor } from '../../plugins/auth/actor.js';
import type { RuleReferences } from './entry-references.js';

export interface EntryDraft {
  volunteerId: string;
  organizationId: string;
  categoryId: string;
  servedOn: string;
  minutes: number;
  startedAt?: string | null | undefined;
  endedAt?: string | null | undefined;
  source?: string | undefined;
}

/** Names a field of one item: `minutes` for a single entry, `entries[3].minutes` in a batch. */
export type FieldNamer = (index: number, field: string) => string;
export const singleField: FieldNamer = (_index, field) => field;
export const batchField: FieldNamer = (index, field) => `entries[${index}].${field}`;

export class RuleErrors {
  readonly list: FieldError[] = [];
  constructor(private readonly name: FieldNamer, private readonly batch: boolean) {}
  add(index: number, field: string, message: string): void {
    this.list.push(this.batch ? { index, field: this.name(index, field), message } : { field: this.name(index, field), message });
  }
}

const MINUTE = 60_000;

/** startedAt/endedAt: both or neither, in order, on servedOn in the community's time zone, spanning exactly `minutes`. */
export function checkTimes(draft: EntryDraft, timezone: string, index: number, errors: RuleErrors): void {
  const { startedAt, endedAt } = draft;
  if (!startedAt && !endedAt) return;
  if (!startedAt || !endedAt) {
    errors.add(index, startedAt ? 'endedAt' : 'startedAt', 'startedAt and endedAt go together');
    return;
  }
  const start = new Date(startedAt);
  const end = new Date(endedAt);
  if (!(end > start)) {
    errors.add(index, 'endedAt', 'must be after startedAt');
    return;
  }
  if (end.getTime() > Date.now()) errors.add(index, 'endedAt', 'is in the future');
  if (dateIn(timezone, start) !== draft.servedOn) errors.add(index, 'startedAt', `must fall on servedOn (${draft.servedOn}) in ${timezone}`);
  if (dateIn(timezone, new Date(end.getTime() - 1)) !== draft.servedOn) errors.add(index, 'endedAt', `must fall on servedOn (${draft.servedOn}) in ${timezone}`);
  const span = (end.getTime() - start.getTime()) / MINUTE;
  if (span !== draft.minutes) errors.add(index, 'minutes', `must equal the time between startedAt and endedAt (${span})`);
}

/** The rules that need only the loaded references: one community, active volunteer, membership, dates. */
export function checkReferences(actor: Actor, drafts: readonly EntryDraft[], refs: RuleReferences, errors: RuleErrors): void {
  const todayIn = new Map<string, string>();
  const today = (timezone: string): string => {
    let date = todayIn.get(timezone);
    if (!date) todayIn.set(timezone, (date = dateIn(timezone)));
    return date;
  };
  drafts.forEach((draft, index) => {
    const organization = refs.organizations.get(draft.organizationId);
    const volunteer = refs.volunteers.get(draft.volunteerId);
    const category = refs.categories.get(draft.categoryId);
    const visible = organization && (actor.role === 'admin'
      || (actor.role === 'coordinator' ? actor.organizationId === organization.id : actor.communityId === organization.communityId));
    if (!organization || !visible) {
      errors.add(index, 'organizationId', 'does not name an organization this key can record for');
      return;
    }
    if (organization.archived) errors.add(index, 'organizationId', 'is archived');
    if (!volunteer || volunteer.communityId !== organization.communityId) errors.add(index, 'volunteerId', 'does not name a volunteer of the organization\'s community');
    else if (volunteer.status !== 'active') errors.add(index, 'volunteerId', `names a volunteer who is ${volunteer.status}`);
    else if (!isPrivileged(actor) && !refs.memberships.has(`${organization.id}:${volunteer.id}`)) {
      errors.add(index, 'volunteerId', 'is not a member of the organization (only a community admin may record for non-members)');
    }
    if (!category || category.communityId !== organization.communityId) errors.add(index, 'categoryId', 'does not name a category of the organization\'s community');
    if (!isCalendarDate(draft.servedOn)) errors.add(index, 'servedOn', 'is not a calendar date');
    else if (draft.servedOn > today(organization.timezone)) errors.add(index, 'servedOn', `is in the future in ${organization.timezone}`);
    checkTimes(draft, organization.timezone, index, errors);
  });
}

/** Community admins (and admins) may record for anyone of the community and their entries may arrive approved. */
export function isPrivileged(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'community_admin';
}

/** Under `auto`, entries from the organization's coordinator or a community admin arrive approved; self-reports never do. */
export function arrivesApproved(actor: Actor, draft: EntryDraft, refs: RuleReferences): boolean {
  const organization = refs.organizations.get(draft.organizationId);
  if (!organization || organization.approvalPolicy !== 'auto' || draft.source === 'self_report') return false;
  return isPrivileged(actor) || (actor.role === 'coordinator' && actor.organizationId === organization.id);
}

/**
 * Timed entries of one volunteer inside the same request must not overlap each other. Sorted by
 * start, an item overlaps an earlier one exactly when it starts before the latest end seen so far
 * for that volunteer (comparing only neighbours missed 09:00–12:00 against 10:00–10:30 and 11:00–11:30).
 */
export function checkOverlapsWithin(drafts: readonly EntryDraft[], errors: RuleErrors): void {
  const timed = drafts
    .map((d, index) => ({ index, volunteerId: d.volunteerId, start: d.startedAt ? Date.parse(d.startedAt) : NaN, end: d.endedAt ? Date.parse(d.endedAt) : NaN }))
    .filter((d) => Number.isFinite(d.start) && Number.isFinite(d.end) && d.start < d.end)
    .sort((a, b) => (a.volunteerId < b.volunteerId ? -1 : a.volunteerId > b.volunteerId ? 1 : a.start - b.start || a.index - b.index));
  let latest: { volunteerId: string; end: number; index: number } | undefined;
  for (const current of timed) {
    if (latest && latest.volunteerId === current.volunteerId && current.start < latest.end) {
      errors.add(current.index, 'startedAt', `overlaps another entry of this volunteer in the same request (item ${latest.index})`);
    }
    if (!latest || latest.volunteerId !== current.volunteerId || current.end > latest.end) latest = { volunteerId: current.volunteerId, end: current.end, index: current.index };
  }
}
