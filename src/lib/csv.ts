import { Readable } from 'node:stream';

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => unknown;
}

/** A byte-order mark, so Excel opens UTF-8 (Chinese names included) correctly. */
const BOM = '\uFEFF';
const ROWS_PER_CHUNK = 500;

/** RFC 4180: quote when needed, double inner quotes; cells that a spreadsheet would run as a formula are defused. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Streams a header and one line per row, in chunks, so a large report never sits in memory as one string. */
export function csvStream<Row>(columns: ReadonlyArray<CsvColumn<Row>>, rows: Iterable<Row> | AsyncIterable<Row>): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield BOM + csvLine(columns.map((c) => c.header));
    let chunk = '';
    let count = 0;
    for await (const row of rows) {
      chunk += csvLine(columns.map((c) => c.value(row)));
      count += 1;
      if (count % ROWS_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(lines());
}
