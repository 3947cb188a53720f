import type { Executor } from '../../db/client.js';
import { rolledBackByRow } from '../../db/errors.js';
import { dayOf, keyOf, recordKnownEntries, type KnownEntry, type KnownOutcome } from './entry-one-statement.js';

interface Waiting {
  known: KnownEntry;
  /** Written in a statement of its own: its group's statement failed (see `write`). */
  alone?: boolean;
  resolve(outcome: KnownOutcome): void;
  reject(err: unknown): void;
}

/** What the long way's probe makes of a key another request holds (see `checkProbe`): the 409 "still running". */
function lockedKeyAnswer(known: KnownEntry): unknown {
  try {
    known.key!.probe.check({ locked: false, fingerprint: null, status: null, body: null });
  } catch (err) {
    return err;
  }
  return new Error('a locked Idempotency-Key was let through');
}

interface Limits {
  /** Statements running at once (A/B under the POST load: 1, 2 and 4 wrote alike; 2 keeps one going while another commits). */
  maxInFlight: number;
  /** Statements running at once, counting those past `stallMs` (the pool keeps connections for everything else). */
  maxRunning: number;
  /** How long a statement counts towards `maxInFlight`: the statements' p99 under load was ~13 ms. */
  stallMs: number;
  /** Entries in one statement. */
  maxEntries: number;
}

const LIMITS: Limits = { maxInFlight: 2, maxRunning: 8, stallMs: 25, maxEntries: 64 };

/**
 * Writes known entries (see entry-one-statement.ts) that arrive together in one statement. At
 * most `maxInFlight` statements run at once; entries arriving meanwhile wait and go together in
 * the next, so an idle service writes each entry at once and a busy one writes them in groups:
 * one bind, one plan, one commit and one round trip for the group instead of one each. Under the
 * POST load the database's and the service's work per entry both fell (figures in the README).
 * A statement running longer than `stallMs` is presumably waiting on a lock (a day a batch
 * import holds): it stops counting, so that it holds up no one else, up to `maxRunning` in all.
 *
 * An entry is answered only once its statement has committed, so nothing acknowledged is lost. A
 * statement for several entries that PostgreSQL refused for a row (a constraint, `write_guard`)
 * wrote nothing: each of its entries is written again alone, first in line, and gets the answer
 * it would have had alone. Any other failure (a lost connection, a timeout) is every entry's
 * answer: the statement may have committed, and writing an entry again could record it twice.
 */
export class EntryCoalescer {
  private readonly waiting: Waiting[] = [];
  /** The volunteer-days of the entries being written: an entry of one of them waits for that statement to end. */
  private readonly held = new Set<string>();
  /** The Idempotency-Keys of the entries waiting or being written. */
  private readonly keys = new Set<string>();
  /** When each statement in flight began. */
  private readonly running = new Set<{ at: number }>();
  private scheduled = false;
  private recheck: NodeJS.Timeout | undefined;

  private readonly limits: Limits;

  constructor(private readonly db: Executor, limits: Partial<Limits> = {}) {
    this.limits = { ...LIMITS, ...limits };
  }

  /**
   * Settles once `known`'s statement has ended. An entry whose Idempotency-Key another entry here
   * holds is answered at once as the long way answers it while the first is running (409): the
   * key is locked.
   */
  record(known: KnownEntry): Promise<KnownOutcome> {
    const key = keyOf(known);
    if (key && this.keys.has(key)) return Promise.reject(lockedKeyAnswer(known));
    if (key) this.keys.add(key);
    return new Promise<KnownOutcome>((resolve, reject) => {
      this.waiting.push({ known, resolve, reject });
      this.schedule();
    }).finally(() => { if (key) this.keys.delete(key); });
  }

  /** Flushes on the next turn of the event loop, so that requests read in one turn share a statement. */
  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    if (!this.mayStart()) {
      this.recheckLater();
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.mayStart()) {
        const group = this.take();
        if (group.length === 0) break;
        void this.write(group);
      }
      if (this.waiting.length > 0) this.recheckLater();
    });
  }

  /** The statements still counting towards `maxInFlight`: running for less than `stallMs`. */
  private counting(): Array<{ at: number }> {
    const now = performance.now();
    return [...this.running].filter((r) => now - r.at < this.limits.stallMs);
  }

  /** Fewer than `maxInFlight` statements counting, and fewer than `maxRunning` in all. */
  private mayStart(): boolean {
    return this.running.size < this.limits.maxRunning && this.counting().length < this.limits.maxInFlight;
  }

  /** Looks again when the oldest statement still counting stops counting (an ending statement looks anyway). */
  private recheckLater(): void {
    if (this.recheck || this.running.size >= this.limits.maxRunning) return;
    const counting = this.counting();
    if (counting.length === 0) return;
    const oldest = Math.min(...counting.map((r) => r.at));
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.schedule();
    }, oldest + this.limits.stallMs - performance.now() + 1);
    this.recheck.unref();
  }

  /**
   * The next group: waiting entries in arrival order, leaving for a later statement any of a
   * volunteer-day taken or being written, so that entries of one volunteer-day are written one
   * after another, in the order they came.
   */
  private take(): Waiting[] {
    const taken: Waiting[] = [];
    const passedOver = new Set<string>(); // a later entry of the same day must not overtake one left waiting
    let kept = 0;
    for (const waiting of this.waiting) {
      const day = dayOf(waiting.known);
      const fits = waiting.alone ? taken.length === 0 : taken.length < this.limits.maxEntries && !taken[0]?.alone;
      if (fits && !this.held.has(day) && !passedOver.has(day)) {
        taken.push(waiting);
        this.held.add(day);
      } else {
        passedOver.add(day);
        this.waiting[kept++] = waiting;
      }
    }
    this.waiting.length = kept;
    return taken;
  }

  /** Writes a group taken by `take`, then releases its days. */
  private async write(group: Waiting[]): Promise<void> {
    const statement = { at: performance.now() };
    this.running.add(statement);
    try {
      const settles = await recordKnownEntries(this.db, group.map((w) => w.known));
      group.forEach((waiting, i) => {
        try {
          waiting.resolve(settles[i]!());
        } catch (err) {
          waiting.reject(err);
        }
      });
    } catch (err) {
      if (group.length > 1 && rolledBackByRow(err)) this.waiting.unshift(...group.map((w) => ({ ...w, alone: true })));
      else for (const waiting of group) waiting.reject(err);
    } finally {
      this.running.delete(statement);
      for (const waiting of group) this.held.delete(dayOf(waiting.known));
      this.schedule();
    }
  }
}
