/**
 * A naive, in-memory model of what the reports must answer: the test knows every entry it wrote
 * and what became of it, and recomputes every figure from scratch (no SQL, no rollups).
 */

export const DIMENSIONS = ['community', 'organization', 'category', 'volunteer', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const TIME_DIMENSIONS: readonly Dimension[] = ['day', 'week', 'month', 'quarter', 'year'];

export interface ModelEntry {
  id: string;
  communityId: string;
  organizationId: string;
  categoryId: string;
  volunteerId: string;
  servedOn: string;
  minutes: number;
  status: 'pending' | 'approved' | 'rejected' | 'voided';
}

/** What a report may show beside each id: names of communities, organizations and categories; a volunteer's code only. */
export interface Labels {
  communities: Map<string, string>;
  organizations: Map<string, string>;
  categories: Map<string, { code: string; name: string }>;
  volunteers: Map<string, string>;
}

export interface ModelFilters {
  communityIds: readonly string[];
  from?: string | undefined;
  to?: string | undefined;
  organizationId?: string | undefined;
  categoryId?: string | undefined;
}

export interface Figures { minutes: number; hours: number; entries: number; volunteers: number }
export type Row = Record<string, string | number | null>;

export const hoursOf = (minutes: number): number => Math.round(minutes / 0.6) / 100;

/** ISO 8601 week of a date: the week belongs to the year of its Thursday. */
export function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - weekday + 3); // that week's Thursday
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function periodOf(dimension: Dimension, servedOn: string): string {
  switch (dimension) {
    case 'day': return servedOn;
    case 'week': return isoWeek(servedOn);
    case 'month': return servedOn.slice(0, 7);
    case 'quarter': return `${servedOn.slice(0, 4)}-Q${Math.ceil(Number(servedOn.slice(5, 7)) / 3)}`;
    case 'year': return servedOn.slice(0, 4);
    default: throw new Error(`${dimension} is not a time dimension`);
  }
}

/** The keys and labels one dimension puts in a row, in the order the CSV lists them. */
export function keyCells(dimension: Dimension, entry: ModelEntry, labels: Labels): Row {
  switch (dimension) {
    case 'community': return { communityId: entry.communityId, communityName: labels.communities.get(entry.communityId)! };
    case 'organization': return { organizationId: entry.organizationId, organizationName: labels.organizations.get(entry.organizationId)! };
    case 'category': {
      const category = labels.categories.get(entry.categoryId)!;
      return { categoryId: entry.categoryId, categoryCode: category.code, categoryName: category.name };
    }
    case 'volunteer': return { volunteerId: entry.volunteerId, volunteerCode: labels.volunteers.get(entry.volunteerId)! };
    default: return { period: periodOf(dimension, entry.servedOn) };
  }
}

const HEADERS: Record<string, string[]> = {
  community: ['communityId', 'communityName'],
  organization: ['organizationId', 'organizationName'],
  category: ['categoryId', 'categoryCode', 'categoryName'],
  volunteer: ['volunteerId', 'volunteerCode'],
};

/** The CSV header of an hours report grouped by `groupBy`. */
export const expectedHeader = (groupBy: readonly Dimension[]): string[] =>
  [...groupBy.flatMap((d) => HEADERS[d] ?? ['period']), 'minutes', 'hours', 'entries', 'volunteers'];

/** Approved, not voided entries inside the filters: the only ones that count. */
export function countedEntries(entries: readonly ModelEntry[], f: ModelFilters): ModelEntry[] {
  return entries.filter((e) => e.status === 'approved'
    && f.communityIds.includes(e.communityId)
    && (!f.from || e.servedOn >= f.from)
    && (!f.to || e.servedOn <= f.to)
    && (!f.organizationId || e.organizationId === f.organizationId)
    && (!f.categoryId || e.categoryId === f.categoryId));
}

export function figuresOf(entries: readonly ModelEntry[]): Figures {
  const minutes = entries.reduce((sum, e) => sum + e.minutes, 0);
  return { minutes, hours: hoursOf(minutes), entries: entries.length, volunteers: new Set(entries.map((e) => e.volunteerId)).size };
}

/** The hours report recomputed: one row per distinct key combination, totals over all counted entries. */
export function expectedHoursReport(counted: readonly ModelEntry[], groupBy: readonly Dimension[], labels: Labels): { rows: Row[]; totals: Figures } {
  const groups = new Map<string, { keys: Row; entries: ModelEntry[] }>();
  for (const entry of counted) {
    const keys: Row = Object.assign({}, ...groupBy.map((d) => keyCells(d, entry, labels)));
    const id = JSON.stringify(groupBy.map((d) => Object.values(keyCells(d, entry, labels))[0]));
    const group = groups.get(id) ?? { keys, entries: [] };
    group.entries.push(entry);
    groups.set(id, group);
  }
  const rows = [...groups.values()].map((g) => ({ ...g.keys, ...figuresOf(g.entries) }));
  return { rows: sortRows(rows), totals: figuresOf(counted) };
}

/** Rows in a canonical order, so two answers can be compared whatever order each came in. */
export const sortRows = <T extends Row>(rows: readonly T[]): T[] =>
  [...rows].sort((a, b) => {
    const ka = JSON.stringify([a.communityId, a.organizationId, a.categoryId, a.volunteerId, a.period]);
    const kb = JSON.stringify([b.communityId, b.organizationId, b.categoryId, b.volunteerId, b.period]);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
