import type { FastifyInstance } from 'fastify';
import { idNumberCheckCharacter } from '../../src/lib/id-number.js';
import { call, type Response } from '../helpers/test-app.js';

/** The GB 11643 example: born 1949-12-31, check character X. */
export const SAMPLE_ID = '11010519491231002X';

/** A valid resident ID number for a birth date `YYYYMMDD` and a three-digit sequence. */
export function idNumberFor(birth: string, sequence = '123'): string {
  const first17 = `610302${birth}${sequence}`;
  return first17 + idNumberCheckCharacter(first17);
}

/** The same number with a wrong check character. */
export function withWrongCheck(idNumber: string): string {
  const wrong = idNumber.endsWith('0') ? '1' : '0';
  return idNumber.slice(0, 17) + wrong;
}

export function expectProblem(res: Response, status: number, field?: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  if (field !== undefined) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

/** Every audit event about one entity, oldest first. */
export async function auditOf(app: FastifyInstance, key: string, entityId: string): Promise<Record<string, any>[]> {
  const res = await call(app, key, 'GET', `/v1/audit-events?entityId=${entityId}&limit=500`);
  expect(res.statusCode).toBe(200);
  return res.json().data;
}

/** The ids of a community's volunteers as the admin sees them. */
export async function volunteerIds(app: FastifyInstance, adminKey: string, communityId: string): Promise<string[]> {
  const res = await call(app, adminKey, 'GET', `/v1/volunteers?communityId=${communityId}&limit=500`);
  expect(res.statusCode).toBe(200);
  return res.json().data.map((v: { id: string }) => v.id);
}
