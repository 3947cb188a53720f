import { clientUnit, createFailedKeyLimiter } from '../../src/plugins/auth/failed-keys.js';

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

  test('past 10,000 clients, windows that ended are swept first, then the oldest go', () => {
    let now = 0;
    const limiter = createFailedKeyLimiter(1, () => now);
    for (let i = 0; i < 9_999; i += 1) limiter.failed(`10.1.${Math.floor(i / 250)}.${i % 250}`);
    now = 30_000;
    limiter.failed('10.2.0.1'); // the 10,000th client, its minute ends at 90 s
    now = 61_000; // every earlier window has ended
    limiter.failed('10.2.0.2');
    expect(limiter.retryAfter('10.2.0.1')).toBe(29);
    for (let i = 0; i < 9_998; i += 1) limiter.failed(`10.3.${Math.floor(i / 250)}.${i % 250}`); // 10,000 windows again, none ended
    limiter.failed('10.4.0.1');
    expect(limiter.retryAfter('10.2.0.1')).toBe(0); // the oldest window went
    expect(limiter.retryAfter('10.2.0.2')).toBe(60); // the next oldest stayed
    expect(limiter.retryAfter('10.4.0.1')).toBe(60);
  });

  test('an IPv6 client is counted by its /64; an IPv4-mapped address as IPv4', () => {
    expect(clientUnit('10.0.0.1')).toBe('10.0.0.1');
    expect(clientUnit('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(clientUnit('2001:db8:0:1:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(clientUnit('2001:DB8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientUnit('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientUnit('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientUnit('::1')).toBe('0:0:0:0::/64');
    const limiter = createFailedKeyLimiter(2, () => 0);
    limiter.failed('2001:db8:0:1::a');
    limiter.failed('2001:db8:0:1::b');
    expect(limiter.retryAfter('2001:db8:0:1::c')).toBe(60);
    expect(limiter.retryAfter('2001:db8:0:2::a')).toBe(0);
  });
});
