import { dateArray, int2Array, int4Array, textArray, timestamptzArray, uuidArray } from '../../src/db/binary-arrays.js';

/** The array back from PostgreSQL's binary format (array_recv's input): element type, and each element's bytes or null. */
function decode(buffer: Buffer): { oid: number; hasNulls: boolean; elements: Array<Buffer | null> } {
  expect(buffer.readInt32BE(0)).toBe(1); // one dimension
  const length = buffer.readInt32BE(12);
  expect(buffer.readInt32BE(16)).toBe(1); // lower bound
  const elements: Array<Buffer | null> = [];
  let offset = 20;
  for (let i = 0; i < length; i += 1) {
    const size = buffer.readInt32BE(offset);
    offset += 4;
    elements.push(size < 0 ? null : buffer.subarray(offset, offset + size));
    offset += Math.max(size, 0);
  }
  expect(offset).toBe(buffer.length);
  return { oid: buffer.readInt32BE(8), hasNulls: buffer.readInt32BE(4) === 1, elements };
}

describe('binary arrays (PostgreSQL wire format)', () => {
  test('uuid[]: 16 bytes each, either case, nulls flagged', () => {
    const { oid, hasNulls, elements } = decode(uuidArray(['0192F0A1-B2C3-7D4E-8F00-112233445566', null, '00000000-0000-0000-0000-000000000001']));
    expect(oid).toBe(2950);
    expect(hasNulls).toBe(true);
    expect(elements.map((e) => e?.toString('hex') ?? null)).toEqual(['0192f0a1b2c37d4e8f00112233445566', null, '00000000000000000000000000000001']);
  });

  test('uuid[] refuses what is not a UUID instead of sending garbage', () => {
    expect(() => uuidArray(['0192f0a1-b2c3-7d4e-8f00-11223344556'])).toThrow(TypeError);
    expect(() => uuidArray(['0192f0a1-b2c3-7d4e-8f00-11223344556g'])).toThrow(TypeError);
    expect(() => uuidArray([''])).toThrow(TypeError);
    expect(() => uuidArray(['0192f0a1b-2c3-7d4e-8f00-112233445566'])).toThrow(TypeError); // 36 characters, hyphens astray
  });

  test('date[]: days since 2000-01-01, before it negative', () => {
    const { oid, hasNulls, elements } = decode(dateArray(['2000-01-01', '1999-12-31', '2026-11-30', '0050-01-01']));
    expect(oid).toBe(1082);
    expect(hasNulls).toBe(false);
    expect(elements.map((e) => e!.readInt32BE(0))).toEqual([0, -1, 9830, -712_222]);
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-01', '20261201', '0000-01-01', '2026/01/05', '2026-01- 1']) expect(() => dateArray([bad])).toThrow(TypeError);
  });

  test('smallint[], integer[] and timestamptz[] (microseconds since 2000-01-01 UTC, to the millisecond)', () => {
    expect(decode(int2Array([1, 1440])).elements.map((e) => e!.readInt16BE(0))).toEqual([1, 1440]);
    const ints = decode(int4Array([0, 2880, -1]));
    expect(ints.oid).toBe(23);
    expect(ints.elements.map((e) => e!.readInt32BE(0))).toEqual([0, 2880, -1]);
    const { oid, elements } = decode(timestamptzArray(['2000-01-01T00:00:00.001Z', '2026-11-30T08:00:00+08:00', null]));
    expect(oid).toBe(1184);
    expect(elements[0]!.readBigInt64BE(0)).toBe(1000n);
    expect(elements[1]!.readBigInt64BE(0)).toBe(BigInt(Date.parse('2026-11-30T00:00:00Z') - Date.UTC(2000, 0, 1)) * 1000n);
    expect(elements[2]).toBeNull();
  });

  test('text[]: UTF-8, empty strings kept apart from nulls, a lone surrogate as U+FFFD', () => {
    const { oid, hasNulls, elements } = decode(textArray(['社区 ☕ "A"', '', null, 'x\ud800y']));
    expect(oid).toBe(25);
    expect(hasNulls).toBe(true);
    expect(elements.map((e) => e?.toString('utf8') ?? null)).toEqual(['社区 ☕ "A"', '', null, 'x\ufffdy']);
  });
});
