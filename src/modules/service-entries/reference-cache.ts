import type { CategoryRef, OrganizationRef, References, RuleReferences, VolunteerRef } from './entry-references.js';

type Fact = VolunteerRef | OrganizationRef | CategoryRef | true;
type Draft = { volunteerId: string; organizationId: string; categoryId: string };

/** The keys of an entry's facts: its volunteer, organization, category and the membership of the one in the other. */
function factKeys(draft: Draft) {
  return { volunteer: `v:${draft.volunteerId}`, organization: `o:${draft.organizationId}`, category: `c:${draft.categoryId}`, membership: `m:${draft.organizationId}:${draft.volunteerId}` };
}

/**
 * What the ledger's rules last read about the objects entries name (volunteers, organizations
 * with their community's time zone, categories, current memberships), so that an entry whose
 * references are known can be checked before anything is read and written in one statement (see
 * entry-one-statement.ts). A fact here is a guess, never a permission: that statement writes only
 * if every fact it was checked against still holds, and a fact it finds changed is forgotten. A
 * stale fact so costs one statement that writes nothing; a forgotten one costs its next entry the
 * long way (a transaction of four round trips), which a burst of them made the POST load's p99
 * (50 ms in the first 10 s after the facts of 500 volunteers expired, 16–20 ms once known). So
 * facts are kept ten minutes after they were last confirmed, not one after they were read.
 */
export class ReferenceCache {
  private readonly facts = new Map<string, { fact: Fact; until: number }>();

  constructor(private readonly ttlMs = 10 * 60_000, private readonly capacity = 20_000, private readonly now: () => number = Date.now) {}

  /** Keeps what a read of references found (absences are not kept: they send an entry the long way anyway). */
  remember(refs: References): void {
    const until = this.now() + this.ttlMs;
    for (const v of refs.volunteers.values()) this.put(`v:${v.id}`, v, until);
    for (const o of refs.organizations.values()) this.put(`o:${o.id}`, o, until);
    for (const c of refs.categories.values()) this.put(`c:${c.id}`, c, until);
    for (const m of refs.memberships) this.put(`m:${m}`, true, until);
  }

  /** The references of entries, or undefined unless every one their rules need is known. */
  referencesOf(drafts: readonly Draft[], memberships: boolean): RuleReferences | undefined {
    const refs: RuleReferences = { volunteers: new Map(), organizations: new Map(), categories: new Map(), memberships: new Set() };
    for (const draft of drafts) {
      const keys = factKeys(draft);
      const volunteer = this.get(keys.volunteer) as VolunteerRef | undefined;
      const organization = this.get(keys.organization) as OrganizationRef | undefined;
      const category = this.get(keys.category) as CategoryRef | undefined;
      if (!volunteer || !organization || !category || (memberships && !this.get(keys.membership))) return undefined;
      refs.volunteers.set(volunteer.id, volunteer);
      refs.organizations.set(organization.id, organization);
      refs.categories.set(category.id, category);
      if (memberships) refs.memberships.add(`${draft.organizationId}:${draft.volunteerId}`);
    }
    return refs;
  }

  /**
   * Keeps an entry's facts for another `ttlMs` once its statement confirmed them against the
   * database: facts in use never expire all at once.
   */
  confirm(draft: Draft, memberships: boolean): void {
    const now = this.now();
    const until = now + this.ttlMs;
    const { membership, ...others } = factKeys(draft);
    for (const key of [...Object.values(others), ...(memberships ? [membership] : [])]) {
      const held = this.facts.get(key);
      if (!held) continue;
      // Moved to the young end of the eviction order at most once per half its time, else only
      // extended: moving it on every confirm took four deletes and sets of this map per recorded
      // entry, ~4% of the service's CPU under the POST load (CPU profile).
      if (held.until - now < this.ttlMs / 2) this.put(key, held.fact, until);
      else held.until = until;
    }
  }

  /** Drops what an entry's statement found no longer true (or could not confirm). */
  forget(draft: Draft): void {
    for (const key of Object.values(factKeys(draft))) this.facts.delete(key);
  }

  private get(key: string): Fact | undefined {
    const held = this.facts.get(key);
    if (!held) return undefined;
    if (held.until > this.now()) return held.fact;
    this.facts.delete(key);
    return undefined;
  }

  private put(key: string, fact: Fact, until: number): void {
    this.facts.delete(key); // re-inserted last, so the oldest facts are the first to go
    this.facts.set(key, { fact, until });
    if (this.facts.size > this.capacity) this.facts.delete(this.facts.keys().next().value!);
  }
}
