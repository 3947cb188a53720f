const WINDOW_MS = 60_000;
/** Clients tracked at most; past it the oldest windows go first. */
const MAX_CLIENTS = 10_000;

/**
 * What one client is counted by: an IPv4 address, or the /64 of an IPv6 one (a single host is
 * commonly given a whole /64, and would otherwise have billions of addresses to try from).
 */
export function clientUnit(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Unknown or revoked API keys per client (see `clientUnit`), counted per minute. Each costs the
 * service a database lookup (a verified key is cached, an unknown one cannot be), and no per-key
 * budget applies before a key is known: a client past `max` in its minute is refused the lookups
 * of keys the service does not know (see auth-plugin) until the minute ends.
 */
export function createFailedKeyLimiter(max: number, now: () => number = Date.now) {
  // In the order their windows began (a new window moves its client to the end), so the ones
  // that ended, and past MAX_CLIENTS the oldest, are found at the front.
  const windows = new Map<string, { count: number; endsAt: number }>();

  /** Whole seconds until the client at `ip` may present an unknown key again; 0 when it may now. */
  function retryAfter(ip: string): number {
    const window = windows.get(clientUnit(ip));
    if (!window || window.count < max) return 0;
    return Math.max(0, Math.ceil((window.endsAt - now()) / 1000));
  }

  function failed(ip: string): void {
    const at = now();
    const unit = clientUnit(ip);
    const window = windows.get(unit);
    if (window && window.endsAt > at) {
      window.count += 1;
      return;
    }
    windows.delete(unit);
    for (const [key, w] of windows) {
      if (w.endsAt > at && windows.size < MAX_CLIENTS) break;
      windows.delete(key);
    }
    windows.set(unit, { count: 1, endsAt: at + WINDOW_MS });
  }

  return { retryAfter, failed };
}
