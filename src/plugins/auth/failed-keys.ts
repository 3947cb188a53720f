const WINDOW_MS = 60_000;
/** Addresses tracked at most; past it, windows that ended are swept, and if none had, all are forgotten. */
const MAX_ADDRESSES = 10_000;

/**
 * Unknown or revoked API keys per client address, counted per minute. Each one costs the service a
 * database lookup (a verified key is cached, an unknown one cannot be), and no per-key budget
 * applies before a key is known: an address past `max` in its minute is refused without a lookup
 * until the minute ends.
 */
export function createFailedKeyLimiter(max: number, now: () => number = Date.now) {
  const windows = new Map<string, { count: number; endsAt: number }>();

  /** Whole seconds until `address` may present a key again; 0 when it may now. */
  function retryAfter(address: string): number {
    const window = windows.get(address);
    if (!window || window.count < max) return 0;
    const left = window.endsAt - now();
    if (left > 0) return Math.ceil(left / 1000);
    windows.delete(address);
    return 0;
  }

  function failed(address: string): void {
    const at = now();
    const window = windows.get(address);
    if (window && window.endsAt > at) {
      window.count += 1;
      return;
    }
    if (windows.size >= MAX_ADDRESSES) {
      for (const [key, w] of windows) if (w.endsAt <= at) windows.delete(key);
      if (windows.size >= MAX_ADDRESSES) windows.clear();
    }
    windows.set(address, { count: 1, endsAt: at + WINDOW_MS });
  }

  return { retryAfter, failed };
}
