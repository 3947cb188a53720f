import type { FastifyInstance } from 'fastify';
import { expectProblem as expectSharedProblem } from '../helpers/problems.js';
import { call, type Response } from '../helpers/test-app.js';

/** The id of one of the community's service categories, by code. */
export async function categoryId(app: FastifyInstance, key: string, communityId: string, code = 'home_repair'): Promise<string> {
  const res = await call(app, key, 'GET', `/v1/service-categories?communityId=${communityId}&code=${code}`);
  const id = res.json().data[0]?.id as string | undefined;
  if (!id) throw new Error(`categoryId: no ${code} in ${communityId}`);
  return id;
}

export async function claim(app: FastifyInstance, key: string, body: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', '/v1/love-cards', body);
  if (res.statusCode !== 201) throw new Error(`claim: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function auditOf(app: FastifyInstance, adminKey: string, entityId: string): Promise<Array<Record<string, any>>> {
  const res = await call(app, adminKey, 'GET', `/v1/audit-events?entityId=${entityId}`);
  expect(res.statusCode).toBe(200);
  return res.json().data;
}

const CODES: Record<number, string> = { 400: 'invalid_parameter', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'validation_failed' };

/** An RFC 9457 answer with the usual code for its status, naming `field` among its errors when given. */
export function expectProblem(res: Response, status: number, field?: string, code = CODES[status]!): void {
  const body = expectSharedProblem(res, status, code);
  if (field) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

export const ids = (res: Response): string[] => res.json().data.map((c: { id: string }) => c.id);

/** The community's love cards, and the love-card audit events, as the admin sees them. */
export async function storedCards(app: FastifyInstance, adminKey: string, communityId: string): Promise<{ cards: string[]; events: number }> {
  const cards = ids(await call(app, adminKey, 'GET', `/v1/love-cards?communityId=${communityId}`));
  const audit = await call(app, adminKey, 'GET', `/v1/audit-events?communityId=${communityId}&entityType=love_card`);
  return { cards, events: audit.json().data.length };
}
