import { sql } from 'drizzle-orm';
import { array, queryRows } from '../../src/db/raw.js';
import { isoFromTimestamptzText } from '../../src/lib/time.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/** Lists write each entry's instants from PostgreSQL's text (entry-view.ts `entryJson`): it must read as a Date would hold the instant. */
let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const INSTANTS = [
  '2026-12-08T00:58:38.123456Z', '2026-12-08T00:58:38Z', '2026-12-08T00:58:38.1Z', '2026-12-08T00:58:38.12Z', '2026-12-08T00:58:38.999999Z',
  '2026-12-31T23:59:59.9995Z', '2024-02-29T12:00:00.001Z', '0099-06-15T08:30:00.5Z', '1900-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z',
];
// A zone of whole hours, of half hours each side of UTC, and Amsterdam in 1900, whose offset had seconds (+00:19:32).
const ZONES = ['UTC', 'Asia/Shanghai', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam'];

describe('isoFromTimestamptzText', () => {
  test.each(ZONES)('reads what PostgreSQL writes in a %s session as toISOString writes the instant, microseconds truncated', async (zone) => {
    const texts = await t.app.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local timezone = '${zone}'`));
      return queryRows<{ text: string }>(tx, sql`select (i::timestamptz)::text as text from unnest(${array(INSTANTS)}::text[]) as i`);
    });
    // Truncated as Date.parse truncates, not rounded: 23:59:59.9995 stays in its year.
    const expected = INSTANTS.map((instant) => new Date(Date.parse(instant.replace(/(\.\d{3})\d+Z$/, '$1Z'))).toISOString());
    expect(texts.map((row) => isoFromTimestamptzText(row.text))).toEqual(expected);
  });

  test('reads years before Christ and offsets of seconds, and refuses another DateStyle', () => {
    expect(isoFromTimestamptzText('0044-03-15 12:00:00+00 BC')).toBe('-000043-03-15T12:00:00.000Z');
    expect(isoFromTimestamptzText('1900-01-01 00:19:32+00:19:32')).toBe('1900-01-01T00:00:00.000Z');
    expect(isoFromTimestamptzText('2026-12-08 00:58:38.5-03:30')).toBe('2026-12-08T04:28:38.500Z');
    expect(() => isoFromTimestamptzText('Tue Dec 08 00:58:38 2026 UTC')).toThrow(/DateStyle ISO/);
  });
});
