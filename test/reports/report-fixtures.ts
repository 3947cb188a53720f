import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/test-app.js';

export interface EntryBody extends Record<string, unknown> {
  volunteerId: string;
  organizationId: string;
  categoryId: string;
  servedOn: string;
  minutes: number;
}

/** Records an entry and leaves it as it arrives (pending under a manual policy). */
export async function record(app: FastifyInstance, key: string, body: EntryBody): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', '/v1/service-entries', body);
  if (res.statusCode !== 201) throw new Error(`record: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function transition(app: FastifyInstance, key: string, id: string, action: 'approve' | 'reject' | 'void'): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', `/v1/service-entries/${id}/${action}`, action === 'approve' ? undefined : { reason: 'test' });
  if (res.statusCode !== 200) throw new Error(`${action}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Records an entry and approves it if it arrived pending: minutes that count. */
export async function serve(app: FastifyInstance, key: string, body: EntryBody): Promise<Record<string, any>> {
  const entry = await record(app, key, body);
  return entry.status === 'approved' ? entry : transition(app, key, entry.id, 'approve');
}

/** The community's categories by code: id and name. */
export async function categories(app: FastifyInstance, key: string, communityId: string): Promise<Record<string, { id: string; name: string }>> {
  const res = await call(app, key, 'GET', `/v1/service-categories?communityId=${communityId}&limit=100`);
  if (res.statusCode !== 200) throw new Error(`categories: ${res.statusCode} ${res.body}`);
  return Object.fromEntries(res.json().data.map((c: { code: string; id: string; name: string }) => [c.code, { id: c.id, name: c.name }]));
}

/** GET a report that must answer 200; returns its JSON. */
export async function report(app: FastifyInstance, key: string, url: string): Promise<Record<string, any>> {
  const res = await call(app, key, 'GET', url);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

export const ZERO = { minutes: 0, hours: 0, entries: 0, volunteers: 0 };
