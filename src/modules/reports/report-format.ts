import type { FastifyReply, FastifyRequest } from 'fastify';
import { csvStream, type CsvColumn } from '../../lib/csv.js';

/** CSV when asked for by `format=csv` or an Accept header preferring text/csv; JSON otherwise. */
export function wantsCsv(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string }).format;
  if (format) return format === 'csv';
  return prefersCsv(request.headers.accept ?? '');
}

/**
 * Accept with its q-values: CSV when text/csv is acceptable and weighs more than JSON (named
 * exactly, else through application/* or *\/*). Equal weights go to whichever is named first;
 * a wildcard loses to text/csv named outright.
 */
export function prefersCsv(accept: string): boolean {
  const ranges = accept.split(',').map((part, index) => {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    return { type, q: Number.isFinite(weight) ? weight : 0, index };
  });
  const find = (type: string) => ranges.find((r) => r.type === type);
  const csv = find('text/csv');
  if (!csv || csv.q <= 0) return false;
  const json = find('application/json') ?? find('application/*') ?? find('*/*');
  if (!json || csv.q !== json.q) return !json || csv.q > json.q;
  return json.type === 'application/json' ? csv.index < json.index : true;
}

export function sendCsv<Row>(reply: FastifyReply, name: string, columns: ReadonlyArray<CsvColumn<Row>>, rows: Iterable<Row> | AsyncIterable<Row>): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(csvStream(columns, rows));
}

const FIGURES = ['minutes', 'hours', 'entries', 'volunteers'];
const LABELS: Record<string, string[]> = {
  community: ['communityId', 'communityName'],
  organization: ['organizationId', 'organizationName'],
  category: ['categoryId', 'categoryCode', 'categoryName'],
  volunteer: ['volunteerId', 'volunteerCode'],
};

/** A grouped report's columns: each dimension's key and labels, then the four figures. */
export function groupedColumns(groupBy: readonly string[], first: string[] = []): Array<CsvColumn<Record<string, unknown>>> {
  return plainColumns([...first, ...groupBy.flatMap((d) => LABELS[d] ?? ['period']), ...FIGURES]);
}

export const plainColumns = (keys: readonly string[]): Array<CsvColumn<Record<string, unknown>>> =>
  keys.map((key) => ({ header: key, value: (row) => row[key] }));
