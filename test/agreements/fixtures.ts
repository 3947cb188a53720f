import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/test-app.js';
import type { createTenant } from '../helpers/factories.js';
import { dateIn } from '../../src/lib/time.js';

export type Tenant = Awaited<ReturnType<typeof createTenant>>;

/** A calendar date `days` away from `date` (both YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export const todayIn = (timezone = 'Asia/Shanghai'): string => dateIn(timezone);

export function agreementBody(tenant: Tenant, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    communityId: tenant.community.id,
    organizationId: tenant.organization.id,
    title: '共驻共建协议书',
    signedOn: '2026-01-15',
    validUntil: '2099-12-31',
    ...overrides,
  };
}

export async function createAgreement(app: FastifyInstance, key: string, tenant: Tenant, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await call(app, key, 'POST', '/v1/agreements', agreementBody(tenant, overrides));
  if (res.statusCode !== 201) throw new Error(`createAgreement: ${res.statusCode} ${res.body}`);
  return res.json();
}

export { auditEventsOf as auditActions } from '../helpers/factories.js';

export { expectProblemNaming as expectProblem } from '../helpers/problems.js';

/** After a rejected write: no agreement and no agreement audit event in the community. */
export async function expectNoAgreements(app: FastifyInstance, adminKey: string, communityId: string): Promise<void> {
  const list = await call(app, adminKey, 'GET', `/v1/agreements?communityId=${communityId}`);
  expect(list.json().data).toEqual([]);
  const audit = await call(app, adminKey, 'GET', `/v1/audit-events?communityId=${communityId}&entityType=agreement`);
  expect(audit.json().data).toEqual([]);
}
