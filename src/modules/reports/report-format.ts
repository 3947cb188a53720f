import type { FastifyReply, FastifyRequest } from 'fastify';
import { csvStream, type CsvColumn } from '../../lib/csv.js';

/** CSV when asked for by `format=csv` or an Accept header preferring text/csv; JSON otherwise. */
export function wantsCsv(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string }).format;
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /text\/csv/i.test(accept) && !/application\/json/i.test(accept.split('text/csv')[0] ?? '');
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
