/**
 * The service's own clock for a route: its `http_request_duration_seconds` histogram (on
 * /metrics, from Fastify's onRequest to the response's end). Read before and after a load, the
 * difference says how many of that load's requests the service answered within a bound, so a
 * client-side p99 above the bound shows whether the time went inside the service (waiting on the
 * database included) or before it read the request (the process waiting for a CPU).
 */
export type Buckets = Map<string, number>;

export async function durationBuckets(base: string, method: string, route: string): Promise<Buckets> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const buckets: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_request_duration_seconds_bucket{') || !line.includes(`method="${method}",route="${route}",`)) continue;
    const le = /le="([^"]+)"/.exec(line)![1]!;
    buckets.set(le, (buckets.get(le) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1))); // summed over status codes
  }
  return buckets;
}

/** The share (0–1) of the requests between two readings answered within `le` seconds (one of the histogram's bounds). */
export function shareWithin(before: Buckets, after: Buckets, le: string): number {
  const count = (b: Buckets, key: string) => b.get(key) ?? 0;
  const total = count(after, '+Inf') - count(before, '+Inf');
  if (!after.has(le)) throw new Error(`no histogram bound ${le}`);
  return total > 0 ? (count(after, le) - count(before, le)) / total : NaN;
}
