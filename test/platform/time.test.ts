import { jest } from '@jest/globals';
import { dateIn } from '../../src/lib/time.js';

/** Today's date per zone is kept for a minute (src/lib/time.ts); midnight must still turn it over to the millisecond. */
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
