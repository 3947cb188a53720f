import fc from 'fast-check';
import type { Fate, LedgerSpec } from './ledger-builder.js';
import { DIMENSIONS, TIME_DIMENSIONS, type Dimension } from './ledger-model.js';

const pad = (n: number): string => String(n).padStart(2, '0');
const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Months 2024-01 … 2026-10, all in the past of every test run's clock. */
export const MONTHS = 34;
const monthAt = (index: number): { year: number; month: number } => ({ year: 2024 + Math.floor(index / 12), month: (index % 12) + 1 });
export const dateAt = (index: number, day: number): string => {
  const { year, month } = monthAt(index);
  return `${year}-${pad(month)}-${pad(Math.min(day, daysIn(year, month)))}`;
};

/** Days anywhere, with extra weight on the ends of months, where ISO weeks cross into another year. */
const servedOn = fc.record({
  month: fc.integer({ min: 0, max: MONTHS - 1 }),
  day: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constantFrom(1, 2, 3, 4, 28, 29, 30, 31)),
}).map(({ month, day }) => dateAt(month, day));

export const ledgerSpec: fc.Arbitrary<LedgerSpec> = fc.record({
  communities: fc.array(fc.record({
    organizations: fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
    volunteers: fc.array(fc.array(fc.nat(3), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
  }), { minLength: 2, maxLength: 3 }),
  entries: fc.array(fc.record({
    community: fc.nat(5),
    volunteer: fc.nat(5),
    membership: fc.nat(3),
    category: fc.nat(2),
    servedOn,
    minutes: fc.integer({ min: 1, max: 300 }),
    selfReport: fc.boolean(),
    fate: fc.constantFrom<Fate>('leave', 'approve', 'approve', 'reject', 'void', 'late'),
  }), { minLength: 4, maxLength: 28 }),
});

export interface QuerySpec {
  key: 'admin' | 'reporter';
  /** Which scope filter: a communityId, a regionCode, or (reporter only) none. */
  filter: 'community' | 'region' | 'none';
  community: number;
  /** regionCode: the whole prefix, one community's prefix, or a prefix no community has. */
  region: 'all' | 'one' | 'nobody';
  from?: string | undefined;
  to?: string | undefined;
  organization?: number | undefined;
  category?: { community: number; index: number } | undefined;
  groupBy: Dimension[];
}

const groupBy = (dimensions: readonly Dimension[]) => fc.uniqueArray(fc.constantFrom(...dimensions), { minLength: 1, maxLength: 2 })
  .filter((dims) => dims.filter((d) => TIME_DIMENSIONS.includes(d)).length <= 1);

/** A range over months a ≤ b, each end open, on the month's boundary, or inside the month. */
const range = (aligned: boolean) => fc.record({
  a: fc.integer({ min: 0, max: MONTHS - 1 }),
  b: fc.integer({ min: 0, max: MONTHS - 1 }),
  fromKind: aligned ? fc.constantFrom('open', 'edge') : fc.constantFrom('open', 'edge', 'inside', 'inside'),
  toKind: aligned ? fc.constantFrom('open', 'edge') : fc.constantFrom('open', 'edge', 'inside', 'inside'),
  fromDay: fc.integer({ min: 2, max: 28 }),
  toDay: fc.integer({ min: 1, max: 27 }),
}).map(({ a, b, fromKind, toKind, fromDay, toDay }) => {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const [d1, d2] = lo === hi && fromKind === 'inside' && toKind === 'inside' && fromDay > toDay ? [toDay + 1, fromDay] : [fromDay, toDay];
  return {
    from: fromKind === 'open' ? undefined : dateAt(lo, fromKind === 'edge' ? 1 : d1),
    to: toKind === 'open' ? undefined : dateAt(hi, toKind === 'edge' ? 31 : d2),
  };
});

const scope = {
  key: fc.constantFrom<QuerySpec['key']>('admin', 'reporter'),
  filter: fc.constantFrom<QuerySpec['filter']>('community', 'region', 'none'),
  community: fc.nat(5),
  region: fc.constantFrom<QuerySpec['region']>('all', 'all', 'one', 'nobody'),
};

/** Queries the monthly rollups can answer: community/organization/month/quarter/year over whole months, no category. */
const rollupQuery: fc.Arbitrary<QuerySpec> = fc.record({
  ...scope,
  range: range(true),
  organization: fc.option(fc.nat(8), { nil: undefined, freq: 3 }),
  groupBy: groupBy(['community', 'organization', 'month', 'quarter', 'year']),
}).map(({ range: r, ...q }) => ({ ...q, ...r }));

/** Anything else the contract allows, answered from the entries. */
const entryQuery: fc.Arbitrary<QuerySpec> = fc.record({
  ...scope,
  range: range(false),
  organization: fc.option(fc.nat(8), { nil: undefined }),
  category: fc.option(fc.record({ community: fc.nat(5), index: fc.nat(2) }), { nil: undefined }),
  groupBy: groupBy(DIMENSIONS),
}).map(({ range: r, ...q }) => ({ ...q, ...r }));

export const querySpecs = fc.array(fc.oneof(rollupQuery, entryQuery), { minLength: 4, maxLength: 6 });
