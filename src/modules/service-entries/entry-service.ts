import type { Database } from '../../db/client.js';
import type { RequestContext } from '../../lib/context.js';
import { notFound } from '../../lib/errors.js';
import { decodeCursor, toJsonPage } from '../../lib/pagination.js';
import { listScope } from '../../lib/scope.js';
import { correctEntry } from './entry-corrector.js';
import { recordEntries, type Known, type RecordOptions } from './entry-recorder.js';
import { findEntry, listEntriesJson } from './entry-repository.js';
import type { EntryQueryInput, EntryView, PatchEntryInput, RecordEntryInput } from './entry-schemas.js';
import { createEntryTransitions, seesEntry } from './entry-transitions.js';
import { toEntry } from './entry-view.js';
import { ReferenceCache } from './reference-cache.js';
import { EntryCoalescer } from './entry-coalescer.js';

export function createEntryService(db: Database, { onGuess }: Pick<Known, 'onGuess'> = {}) {
  const transitions = createEntryTransitions(db);
  const known: Known = { cache: new ReferenceCache(), coalescer: new EntryCoalescer(db), ...(onGuess ? { onGuess } : {}) };

  async function record(ctx: RequestContext, input: RecordEntryInput, key?: RecordOptions['key']): Promise<EntryView> {
    const [row] = await recordEntries(db, ctx, [input], { batch: false, defaultSource: 'coordinator', known, ...(key ? { key } : {}) });
    return toEntry(row!);
  }

  /** Records a batch; its answer is made by `options.meanwhile` from the rows while the database writes them. */
  async function recordBatch(ctx: RequestContext, inputs: RecordEntryInput[], options: Pick<RecordOptions, 'key' | 'meanwhile'>): Promise<void> {
    await recordEntries(db, ctx, inputs, { batch: true, defaultSource: 'import', known, ...options });
  }

  async function get(ctx: RequestContext, id: string): Promise<EntryView> {
    const row = await findEntry(db, id);
    if (!seesEntry(ctx, row)) throw notFound('Service entry');
    return toEntry(row);
  }

  /** The page's JSON body, written from the rows' text (see `entryJson`). */
  async function list(ctx: RequestContext, query: EntryQueryInput): Promise<string> {
    const scope = listScope(ctx.actor, query);
    if (!scope) return toJsonPage([], query.limit);
    const rows = await listEntriesJson(db, {
      ...scope,
      ...(query.volunteerId ? { volunteerId: query.volunteerId } : {}),
      ...(query.categoryId ? { categoryId: query.categoryId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(query.updatedSince ? { updatedSince: new Date(query.updatedSince) } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    return toJsonPage(rows, query.limit);
  }

  const patch = (ctx: RequestContext, id: string, input: PatchEntryInput) => correctEntry(db, ctx, id, input);

  return { record, recordBatch, get, list, patch, ...transitions };
}
