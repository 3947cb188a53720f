import { createFailedKeyLimiter } from '../../src/plugins/auth/failed-keys.js';

describe('failed key limiter', () => {
  test('an address past its budget waits for the rest of its minute; others do not', () => {
    let now = 1_000_000;
    const limiter = createFailedKeyLimiter(3, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.retryAfter('10.0.0.1')).toBe(0);
      limiter.failed('10.0.0.1');
    }
    expect(limiter.retryAfter('10.0.0.1')).toBe(60);
    expect(limiter.retryAfter('10.0.0.2')).toBe(0);
    now += 59_001;
    expect(limiter.retryAfter('10.0.0.1')).toBe(1);
    now += 999;
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
    limiter.failed('10.0.0.1');
    expect(limiter.retryAfter('10.0.0.1')).toBe(0); // a new minute, one failure in it
  });

  test('failures spread over minutes never add up', () => {
    let now = 0;
    const limiter = createFailedKeyLimiter(2, () => now);
    for (let i = 0; i < 10; i += 1) {
      limiter.failed('10.0.0.1');
      now += 60_000;
    }
    expect(limiter.retryAfter('10.0.0.1')).toBe(0);
  });

  test('past 10,000 addresses, windows that ended are swept and the rest kept; if none ended, all are forgotten', () => {
    let now = 0;
    const limiter = createFailedKeyLimiter(1, () => now);
    for (let i = 0; i < 9_999; i += 1) limiter.failed(`early${i}`);
    now = 30_000;
    limiter.failed('blocked'); // the 10,000th address, its minute ends at 90 s
    now = 61_000; // every early window has ended
    limiter.failed('late');
    expect(limiter.retryAfter('blocked')).toBe(29);
    for (let i = 0; i < 9_998; i += 1) limiter.failed(`more${i}`); // 10,000 windows again, none ended
    limiter.failed('overflow');
    expect(limiter.retryAfter('blocked')).toBe(0);
    expect(limiter.retryAfter('overflow')).toBe(60);
  });
});
