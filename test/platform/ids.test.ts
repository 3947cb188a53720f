import { isUuid, uuidv7 } from '../../src/lib/ids.js';

describe('uuidv7', () => {
  test('is a version 7, RFC 9562 variant UUID whose first 48 bits are the current millisecond', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 1); // a full millisecond's counter moves on to the next
  });

  test('ids from one process increase strictly, also many within one millisecond, and never repeat', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(new Set(ids.map((id) => id.slice(19))).size).toBeGreaterThan(19_990); // the random tail, drawn afresh per id
  });
});
