import { NodePgSession } from 'drizzle-orm/node-postgres';
import { calendarDay } from '../lib/time.js';
import type { Executor } from './client.js';

/*
 * One-dimensional PostgreSQL arrays in the binary wire format (array_recv), for statements that
 * take a column of values per parameter (`unnest($1::uuid[], …)`). node-postgres sends a Buffer
 * parameter as binary, and PostgreSQL reads it without parsing text: a 1,000-entry batch's rows
 * took PostgreSQL 8–9 ms to read as a JSON record set, ~3 ms as binary arrays (the same rows as
 * text arrays were no faster than JSON: array_in parses every element).
 *
 * The format: ndim, has-nulls flag, element type OID, then per dimension its length and lower
 * bound, then each element as its byte length (-1 for NULL) and its bytes, big-endian.
 */

/** Whether `db` runs on node-postgres, which sends Buffers as binary parameters (PGlite does not). */
export const takesBinaryArrays = (db: Executor): boolean => (db as unknown as { session: unknown }).session instanceof NodePgSession;

const OID = { uuid: 2950, date: 1082, int2: 21, int4: 23, text: 25, timestamptz: 1184 } as const;
const HEADER = 20;
/** PostgreSQL's epoch for dates and timestamps. */
const EPOCH_MS = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

function header(buffer: Buffer, oid: number, length: number, nulls: boolean): void {
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(nulls ? 1 : 0, 4);
  buffer.writeInt32BE(oid, 8);
  buffer.writeInt32BE(length, 12);
  buffer.writeInt32BE(1, 16);
}

/** An array of fixed-width elements; `write` puts element `i` (never null) at `offset`. */
function fixedWidth<T>(oid: number, width: number, values: ReadonlyArray<T | null | undefined>, write: (buffer: Buffer, offset: number, value: T) => void): Buffer {
  const nulls = values.filter((v) => v === null || v === undefined).length;
  const buffer = Buffer.allocUnsafe(HEADER + values.length * 4 + (values.length - nulls) * width);
  header(buffer, oid, values.length, nulls > 0);
  let offset = HEADER;
  for (const value of values) {
    if (value === null || value === undefined) {
      offset = buffer.writeInt32BE(-1, offset);
    } else {
      offset = buffer.writeInt32BE(width, offset);
      write(buffer, offset, value);
      offset += width;
    }
  }
  return buffer;
}

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i += 1) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i += 1) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

const HYPHEN = 45;

/** The 16 bytes of a UUID in its canonical 36-character form (either case). */
function writeUuid(buffer: Buffer, offset: number, uuid: string): void {
  if (uuid.length !== 36 || uuid.charCodeAt(8) !== HYPHEN || uuid.charCodeAt(13) !== HYPHEN || uuid.charCodeAt(18) !== HYPHEN || uuid.charCodeAt(23) !== HYPHEN) {
    throw new TypeError(`not a UUID: ${uuid}`);
  }
  let at = offset;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i += 1;
    const high = NIBBLE[uuid.charCodeAt(i)] ?? -1;
    const low = NIBBLE[uuid.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new TypeError(`not a UUID: ${uuid}`);
    buffer[at] = (high << 4) | low;
    at += 1;
  }
}

export const uuidArray = (values: ReadonlyArray<string | null | undefined>): Buffer => fixedWidth(OID.uuid, 16, values, writeUuid);

/** Calendar dates `YYYY-MM-DD` (see calendarDay): days since 2000-01-01. */
export const dateArray = (values: ReadonlyArray<string | null | undefined>): Buffer => fixedWidth(OID.date, 4, values, (buffer, offset, value) => {
  const day = calendarDay(value);
  if (!day) throw new TypeError(`not a date: ${value}`);
  buffer.writeInt32BE((day.getTime() - EPOCH_MS) / DAY_MS, offset);
});

export const int2Array = (values: ReadonlyArray<number | null | undefined>): Buffer => fixedWidth(OID.int2, 2, values, (buffer, offset, value) => { buffer.writeInt16BE(value, offset); });

export const int4Array = (values: ReadonlyArray<number | null | undefined>): Buffer => fixedWidth(OID.int4, 4, values, (buffer, offset, value) => { buffer.writeInt32BE(value, offset); });

/** Instants (anything Date.parse reads, to the millisecond): microseconds since 2000-01-01 UTC. */
export const timestamptzArray = (values: ReadonlyArray<string | null | undefined>): Buffer => fixedWidth(OID.timestamptz, 8, values, (buffer, offset, value) => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new TypeError(`not an instant: ${value}`);
  buffer.writeBigInt64BE(BigInt(ms - EPOCH_MS) * 1000n, offset);
});

/** Text as UTF-8 (a lone surrogate becomes U+FFFD, as PostgreSQL would store it from text). */
export function textArray(values: ReadonlyArray<string | null | undefined>): Buffer {
  let size = HEADER;
  let nulls = false;
  for (const value of values) {
    size += 4;
    if (value === null || value === undefined) nulls = true;
    else size += Buffer.byteLength(value);
  }
  const buffer = Buffer.allocUnsafe(size);
  header(buffer, OID.text, values.length, nulls);
  let offset = HEADER;
  for (const value of values) {
    if (value === null || value === undefined) {
      offset = buffer.writeInt32BE(-1, offset);
    } else {
      const length = buffer.write(value, offset + 4);
      buffer.writeInt32BE(length, offset);
      offset += 4 + length;
    }
  }
  return buffer;
}
