import { jest } from '@jest/globals';
import { dateIn, isCalendarDate } from '../../src/lib/time.js';

/** Today's date per zone is kept for a minute (src/lib/time.ts); midnight must still turn it over to the millisecond. */
describe('isCalendarDate', () => {
  test('takes the days of the calendar from year 1 to 9999, the first centuries included', () => {
    for (const date of ['2024-02-29', '0001-01-01', '0050-06-15', '9999-12-31']) expect(isCalendarDate(date)).toBe(true);
  });

  test('refuses days the calendar lacks, year 0 (which PostgreSQL refuses too) and other shapes', () => {
    for (const date of ['2026-02-30', '2025-02-29', '2026-13-01', '0000-01-01', '2026-3-14', '20260314', '2026-03-14T00:00:00Z']) expect(isCalendarDate(date)).toBe(false);
  });
});

describe('dateIn › today', () => {
  afterEach(() => { jest.useRealTimers(); });

  test.each([
    ['Asia/Shanghai', '2026-03-01T15:59:59.999Z'], // +08:00
    ['Asia/Kathmandu', '2026-03-01T18:14:59.999Z'], // +05:45
    ['America/St_Johns', '2026-03-02T03:29:59.999Z'], // -03:30
  ])('in %s turns to the next date at midnight, not a minute later', (timezone, lastMillisecond) => {
    jest.useFakeTimers({ now: new Date(lastMillisecond), doNotFake: ['nextTick', 'setImmediate'] });
    expect(dateIn(timezone)).toBe('2026-03-01');
    jest.setSystemTime(new Date(Date.parse(lastMillisecond) + 1));
    expect(dateIn(timezone)).toBe('2026-03-02');
    expect(dateIn(timezone, new Date(lastMillisecond))).toBe('2026-03-01');
  });
});
