import { sql, type SQL } from 'drizzle-orm';

export const DIMENSIONS = ['community', 'organization', 'category', 'volunteer', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const TIME_DIMENSIONS: ReadonlySet<Dimension> = new Set(['day', 'week', 'month', 'quarter', 'year']);

/** The SQL expression of a dimension over a date column (served_on, or a rollup's month). */
export function dimensionExpression(dimension: Dimension, dateColumn: SQL): SQL {
  switch (dimension) {
    case 'community': return sql`community_id`;
    case 'organization': return sql`organization_id`;
    case 'category': return sql`category_id`;
    case 'volunteer': return sql`volunteer_id`;
    case 'day': return sql`to_char(${dateColumn}, 'YYYY-MM-DD')`;
    case 'week': return sql`to_char(${dateColumn}, 'IYYY-"W"IW')`;
    case 'month': return sql`to_char(${dateColumn}, 'YYYY-MM')`;
    case 'quarter': return sql`to_char(${dateColumn}, 'YYYY-"Q"Q')`;
    case 'year': return sql`to_char(${dateColumn}, 'YYYY')`;
    default: throw new Error(`unknown dimension ${String(dimension)}`);
  }
}

/** The period key of a month (YYYY-MM-01) for a month, quarter or year grouping; mirrors the SQL above. */
export function periodOfMonth(dimension: Dimension, month: string): string {
  const year = month.slice(0, 4);
  const m = Number(month.slice(5, 7));
  if (dimension === 'month') return month.slice(0, 7);
  if (dimension === 'quarter') return `${year}-Q${Math.ceil(m / 3)}`;
  return year;
}

/** The row key a dimension's value is reported under. */
export const keyOf = (dimension: Dimension): string => {
  switch (dimension) {
    case 'community': return 'communityId';
    case 'organization': return 'organizationId';
    case 'category': return 'categoryId';
    case 'volunteer': return 'volunteerId';
    default: return 'period';
  }
};
