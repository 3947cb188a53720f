import type { Database, Executor } from '../../db/client.js';
import { checkViolation, writeGuardRefused } from '../../db/errors.js';
import type { RequestContext } from '../../lib/context.js';
import { AppError, ruleViolated } from '../../lib/errors.js';
import { inTransaction } from '../../lib/transaction.js';
import { DAY_CAP_MINUTES, dayKey, groupByDay, lockedMinutes, type DayClaim } from './day-minutes.js';
import { loadReferences, type References, type RuleReferences } from './entry-references.js';
import { arrivesApproved, batchField, checkOverlapsWithin, checkReferences, isPrivileged, RuleErrors, singleField } from './entry-rules.js';
import type { RecordEntryInput } from './entry-schemas.js';
import type { EntryRow } from './entry-view.js';
import { overlappingItems, sendEntries, type NewEntry } from './entry-writer.js';
import { applyToRollups } from '../reports/rollup-writer.js';
import { storeAnswer, type KeyHooks, type KeyProbe, type Outcome } from '../idempotency/idempotency.js';
import type { EntryCoalescer } from './entry-coalescer.js';
import type { ReferenceCache } from './reference-cache.js';

function throwIfAny(errors: RuleErrors, summary: string): void {
  if (errors.list.length === 0) return;
  const detail = `${summary}: ${errors.list.slice(0, 5).map((e) => `${e.field} ${e.message}`).join('; ')}${errors.list.length > 5 ? '; …' : ''}`;
  throw new AppError('rule_violated', detail, { errors: errors.list });
}

/**
 * The database is the last line: a race that slipped past the checks still cannot break a rule.
 * A single entry's answer still names the field; a batch's cannot tell which item lost the race.
 */
export function translateConstraint(err: unknown, batch: boolean): never {
  const constraint = checkViolation(err);
  const named = (field: string, message: string) => (batch ? undefined : [{ field, message }]);
  if (constraint === 'volunteer_day_minutes_cap') {
    const message = 'A volunteer\'s pending and approved minutes on one day may not exceed 1440';
    throw ruleViolated(message, named('minutes', 'would bring the volunteer\'s day over 1440 minutes'));
  }
  if (constraint === 'service_entries_no_overlap') {
    throw ruleViolated('The entry\'s times overlap another entry of the same volunteer', named('startedAt', 'overlaps another pending or approved entry of this volunteer'));
  }
  throw err;
}

/*
 * The answer to a recording is built from the values inserted (see sendEntries), so they are put
 * in the form the database keeps: instants to the millisecond, as the rules read them and every
 * answer writes them (PostgreSQL would round 00:00:00.9999996 up to the next second); text with a
 * lone UTF-16 surrogate as U+FFFD, which is what its UTF-8 encoding stores.
 */
function storedInstant(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : value; // unreadable: the rules refuse it
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storedText = (value: string | null | undefined): string | null => (value ? value.replace(LONE_SURROGATE, '\uFFFD') : null);

/** How an insert sent on a guess ended (see `recordEntries`). */
export type GuessOutcome = 'confirmed' | 'stale' | 'refused';

/**
 * What the rules last read about references (see ReferenceCache), and the writer of entries
 * checked against it: lets a single entry be recorded in one statement (see recordKnownEntry),
 * and entries be inserted on a guess (see recordEntries), whose outcomes `onGuess` hears.
 */
export interface Known {
  cache: ReferenceCache;
  coalescer: EntryCoalescer;
  onGuess?: (outcome: GuessOutcome) => void;
}

export interface RecordOptions {
  batch: boolean;
  defaultSource: NewEntry['source'];
  /**
   * The request's Idempotency-Key: probed in the write's first statement (which may end the
   * write there: a stored answer, another request holding the key), and its `answer` to the
   * recorded rows stored by the insert itself.
   */
  key?: KeyHooks & { answer(rows: EntryRow[]): Outcome };
  known?: Known;
  /** Work on the recorded rows (the answer's serialization) done while the database writes them; wasted if the write fails. */
  meanwhile?: (rows: EntryRow[]) => void;
}

/** The entry as recorded from `draft`; items whose organization is unknown keep an empty community (they carry an error already). */
function newEntry(ctx: RequestContext, draft: RecordEntryInput, refs: RuleReferences, defaultSource: NewEntry['source']): NewEntry {
  return {
    communityId: refs.organizations.get(draft.organizationId)?.communityId ?? '',
    volunteerId: draft.volunteerId,
    organizationId: draft.organizationId,
    categoryId: draft.categoryId,
    servedOn: draft.servedOn,
    minutes: draft.minutes,
    activityId: draft.activityId ?? null,
    startedAt: storedInstant(draft.startedAt),
    endedAt: storedInstant(draft.endedAt),
    location: storedText(draft.location),
    description: storedText(draft.description),
    status: arrivesApproved(ctx.actor, draft, refs) ? 'approved' : 'pending',
    source: draft.source ?? defaultSource,
  };
}

/**
 * A single entry whose references are all cached and pass the rules, and which arrives pending
 * (an approved one also moves the report rollups), is recorded in one statement that confirms
 * those facts as it writes, with other such entries arriving at the same time (entry-coalescer.ts).
 * Undefined: it must go the long way.
 */
async function recordKnownEntry(ctx: RequestContext, draft: RecordEntryInput, options: RecordOptions): Promise<EntryRow[] | undefined> {
  const { cache, coalescer } = options.known!;
  const members = !isPrivileged(ctx.actor);
  const refs = cache.referencesOf([draft], members);
  if (!refs) return undefined;
  const errors = new RuleErrors(singleField, false);
  checkReferences(ctx.actor, [draft], refs, errors);
  const entry = newEntry(ctx, draft, refs, options.defaultSource);
  if (errors.list.length > 0 || entry.status !== 'pending') return undefined;
  try {
    const outcome = await coalescer.record({ ctx, entry, organization: refs.organizations.get(draft.organizationId)!, members, key: options.key });
    if (outcome.rows) cache.confirm(draft, members);
    else if (outcome.stale) cache.forget(draft);
    return outcome.rows;
  } catch (err) {
    if (options.key && writeGuardRefused(err)) options.key.refused();
    // A constraint (the times overlap another entry): the statement wrote nothing; the long way names the problem.
    if (checkViolation(err)) return undefined;
    throw err;
  }
}

/**
 * The entries as the rules would make them from what `cache` knows (see ReferenceCache), when it
 * knows every reference and finds nothing wrong; otherwise undefined. A guess, never a
 * permission: see `recordEntries`.
 */
function guessEntries(ctx: RequestContext, drafts: readonly RecordEntryInput[], cache: ReferenceCache, defaultSource: NewEntry['source']): NewEntry[] | undefined {
  const refs = cache.referencesOf(drafts, !isPrivileged(ctx.actor));
  if (!refs) return undefined;
  const errors = new RuleErrors(singleField, false);
  checkReferences(ctx.actor, drafts, refs, errors);
  return errors.list.length > 0 ? undefined : drafts.map((draft) => newEntry(ctx, draft, refs, defaultSource));
}

/** Whether the rules made the same entries from the references read as were guessed: only the community and the status come from them. */
const sameEntries = (guessed: readonly NewEntry[], made: readonly NewEntry[]): boolean =>
  guessed.every((g, i) => g.communityId === made[i]!.communityId && g.status === made[i]!.status);

/** The cache's guess did not hold (an organization's policy changed, say): the transaction is rolled back and recorded again without one. */
class StaleGuess extends Error {}

/**
 * Records entries, one or a batch, all or nothing. Every rule is checked for every item before
 * anything is committed, so a batch with bad items names each of them by index and field.
 *
 * When the cache can guess the entries of a request without times (see `guessEntries`), their
 * insert is sent right behind the statement that reads the references and claims the days,
 * before that statement has answered: node-postgres sends it as soon as the references are back,
 * and the service checks the rules while PostgreSQL inserts, instead of PostgreSQL waiting for
 * the service in between (a 1,000-entry batch spent ~10 ms there: reading the references,
 * checking the rules, making the insert's rows). The insert counts only once the references read confirm
 * the guess and every rule holds; otherwise the transaction rolls back with it.
 */
export async function recordEntries(db: Database, ctx: RequestContext, drafts: readonly RecordEntryInput[], options: RecordOptions): Promise<EntryRow[]> {
  if (!options.batch && options.known) {
    const recorded = await recordKnownEntry(ctx, drafts[0]!, options);
    if (recorded) return recorded;
  }
  try {
    return await recordInTransaction(db, ctx, drafts, options, true);
  } catch (err) {
    if (err instanceof StaleGuess) return recordInTransaction(db, ctx, drafts, options, false).catch((again: unknown) => failed(again, options));
    return failed(err, options);
  }
}

function failed(err: unknown, options: RecordOptions): never {
  if (err instanceof AppError) throw err;
  return translateConstraint(err, options.batch);
}

async function recordInTransaction(db: Database, ctx: RequestContext, drafts: readonly RecordEntryInput[], options: RecordOptions, guessing: boolean): Promise<EntryRow[]> {
  const errors = new RuleErrors(options.batch ? batchField : singleField, options.batch);
  checkOverlapsWithin(drafts, errors);
  // Not entries with times: their overlaps with the ledger are read before anything is inserted.
  const cache = guessing && !drafts.some((d) => d.startedAt || d.endedAt) ? options.known?.cache : undefined;
  const key = options.key;
  const answering = key && ((inserted: EntryRow[]) => key.storing(key.answer(inserted)));
  return inTransaction(db, async (tx, begun) => {
    const days = groupByDay(drafts.map((d) => ({ volunteerId: d.volunteerId, organizationId: d.organizationId, servedOn: d.servedOn, minutes: d.minutes })));
    const loading = loadReferences(tx, drafts, { memberships: !isPrivileged(ctx.actor), days, ...(key ? { probe: key.probe.values } : {}) });
    loading.catch(() => undefined); // awaited below, unless a throw before that rolls the transaction back
    // Guessed and made into the insert's rows while PostgreSQL reads the references. Sent after
    // them on this connection, so it must never come first: the key's probe would find the
    // answer it stores. It stores none, then: a key held by another request would make it wait
    // on that request, and the 409 behind it.
    const guessed = cache && guessEntries(ctx, drafts, cache, options.defaultSource);
    // Awaited below once the guess holds; when it does not, the rollback takes the insert with it.
    const early = guessed && sendEntries(tx, ctx, guessed, begun.now!);
    let outcome: GuessOutcome = 'refused';
    try {
      const refs = await loading;
      if (key) key.probe.check(refs.probe as KeyProbe);
      options.known?.cache.remember(refs);
      const entries = await checkRules(tx, ctx, drafts, refs, days, errors, options.defaultSource);
      if (guessed && !sameEntries(guessed, entries)) {
        outcome = 'stale';
        throw new StaleGuess();
      }
      const { rows, stored } = early ?? sendEntries(tx, ctx, entries, refs.now, answering);
      // The key's answer: stored by the insert, or after the guessed one, the probe having passed.
      const written = Promise.all([stored, early && key ? storeAnswer(tx, key.claim, key.answer(rows)) : true]);
      written.catch(() => undefined);
      options.meanwhile?.(rows);
      if (!(await written).every(Boolean) && key) key.refused();
      outcome = 'confirmed';
      const memberNumbers = new Map([...refs.volunteers.values()].map((v) => [v.id, v.memberNo]));
      await applyToRollups(tx, rows.filter((r) => r.status === 'approved'), 1, memberNumbers);
      return rows;
    } finally {
      if (guessed) options.known?.onGuess?.(outcome);
    }
  }, { genericPlans: true, clock: cache !== undefined });
}

/**
 * Every rule on the references read and the days claimed (see loadReferences), the overlaps of
 * timed entries with the ledger read: the entries to insert, or a 422 naming every bad item.
 */
async function checkRules(
  tx: Executor, ctx: RequestContext, drafts: readonly RecordEntryInput[], refs: References, days: readonly DayClaim[], errors: RuleErrors, defaultSource: NewEntry['source'],
): Promise<NewEntry[]> {
  checkReferences(ctx.actor, drafts, refs, errors);
  // Items whose organization is unknown cannot be checked further; the rest are, so one answer names every problem.
  const entries = drafts.map((draft) => newEntry(ctx, draft, refs, defaultSource));

  // Days of an unknown organization were not counted; their items already carry an error.
  const counted = days.filter((d) => refs.organizations.has(d.organizationId));
  const refused = await lockedMinutes(tx, counted.filter((d) => !refs.addedDays.has(dayKey(d.volunteerId, d.servedOn))));
  for (const day of counted) {
    const dayOf = dayKey(day.volunteerId, day.servedOn);
    const added = refs.addedDays.get(dayOf);
    const before = added !== undefined ? added - (day.minutes > DAY_CAP_MINUTES ? 0 : day.minutes) : refused.get(dayOf) ?? 0;
    const total = before + day.minutes;
    // A day the statement refused was over the cap by definition: never write without its minutes.
    if (added !== undefined && total <= DAY_CAP_MINUTES) continue;
    entries.forEach((e, index) => {
      if (e.volunteerId === day.volunteerId && e.servedOn === day.servedOn) {
        errors.add(index, 'minutes', `would bring the volunteer's ${day.servedOn} to ${total} minutes; pending and approved minutes on one day may not exceed ${DAY_CAP_MINUTES}`);
      }
    });
  }
  const timed = entries.flatMap((e, index) => (e.startedAt && e.endedAt && e.communityId && Date.parse(e.startedAt) < Date.parse(e.endedAt) ? [{ index, volunteerId: e.volunteerId, startedAt: e.startedAt, endedAt: e.endedAt }] : []));
  for (const index of await overlappingItems(tx, timed)) errors.add(index, 'startedAt', 'overlaps another pending or approved entry of this volunteer');
  throwIfAny(errors, 'Entries break the ledger\'s rules');
  return entries;
}
