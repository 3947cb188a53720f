import { randomUUID } from 'node:crypto';
import { percentile } from './stats.js';
import type { Tenant } from './tenant.js';

export interface Latency { p50: number; p99: number }
export interface WriteLatencies { post: Latency; approve: Latency; count: number }

/**
 * The write path's own latency, one request at a time (no queueing): `count` entries recorded
 * with an Idempotency-Key, then each approved (which maintains the report rollups). Run on a
 * small ledger by `npm run bench` and on the seeded city by `npm run bench:reports`, so the two
 * say whether recording and approving keep their speed as the ledger grows.
 */
export async function writeLatencies(base: string, t: Tenant, count = 300): Promise<WriteLatencies> {
  const send = async (key: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const json = await res.json() as { id: string };
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return { ms: performance.now() - started, id: json.id };
  };
  const posts: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const body = {
      volunteerId: t.volunteerIds[i % t.volunteerIds.length], organizationId: t.organizationId, categoryId: t.categoryIds[i % t.categoryIds.length],
      servedOn: t.days[(i * 7) % t.days.length], minutes: 3,
    };
    const { ms, id } = await send(t.coordinatorKey, '/v1/service-entries', body, { 'idempotency-key': randomUUID() });
    posts.push(ms);
    ids.push(id);
  }
  const approvals: number[] = [];
  for (const id of ids) approvals.push((await send(t.communityAdminKey, `/v1/service-entries/${id}/approve`, {})).ms);
  const latency = (samples: number[]): Latency => ({ p50: percentile(samples, 50), p99: percentile(samples, 99) });
  return { post: latency(posts), approve: latency(approvals), count };
}
