import type { FastifyInstance } from 'fastify';
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

export { auditEventsOf as auditOf } from '../helpers/factories.js';

export { expectProblemNaming as expectProblem } from '../helpers/problems.js';

export const ids = (res: Response): string[] => res.json().data.map((c: { id: string }) => c.id);

/** The community's love cards, and the love-card audit events, as the admin sees them. */
export async function storedCards(app: FastifyInstance, adminKey: string, communityId: string): Promise<{ cards: string[]; events: number }> {
  const cards = ids(await call(app, adminKey, 'GET', `/v1/love-cards?communityId=${communityId}`));
  const audit = await call(app, adminKey, 'GET', `/v1/audit-events?communityId=${communityId}&entityType=love_card`);
  return { cards, events: audit.json().data.length };
}
