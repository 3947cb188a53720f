import type { Response } from '../helpers/test-app.js';

export const BOM = '\uFEFF';

/**
 * A strict RFC 4180 reader: CRLF line ends, fields quoted when they hold a comma, quote or line
 * break, inner quotes doubled. Throws on anything else, so a sloppy writer cannot pass.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const field = (): string => {
    if (text[i] !== '"') {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r' && text[end] !== '\n') end += 1;
      const value = text.slice(i, end);
      if (value.includes('"')) throw new Error(`unquoted field holds a quote: ${value}`);
      i = end;
      return value;
    }
    let value = '';
    i += 1;
    for (;;) {
      if (i >= text.length) throw new Error('unterminated quoted field');
      if (text[i] === '"') {
        if (text[i + 1] === '"') { value += '"'; i += 2; continue; }
        i += 1;
        return value;
      }
      value += text[i];
      i += 1;
    }
  };
  while (i < text.length) {
    record.push(field());
    if (text[i] === ',') { i += 1; continue; }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`expected CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 5))}`);
    i += 2;
    records.push(record);
    record = [];
  }
  return records;
}

/** A CSV answer: text/csv, UTF-8 with a byte-order mark; returns the header and the records. */
export function csvOf(res: Response): { header: string[]; records: string[][] } {
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
  expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = res.rawPayload.toString('utf8');
  const [header, ...records] = parseCsv(text.slice(BOM.length));
  return { header: header!, records };
}

/** How a JSON value appears in a CSV cell. */
export const cell = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/** Asserts the CSV holds the JSON rows, row for row and column for column. */
export function expectCsvMatchesRows(res: Response, header: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): void {
  const csv = csvOf(res);
  expect(csv.header).toEqual(header);
  expect(csv.records).toEqual(rows.map((row) => header.map((h) => cell(row[h]))));
}
