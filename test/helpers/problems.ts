import type { IncomingMessage } from 'node:http';
import type { Response } from './test-app.js';

/**
 * Asserts an RFC 9457 answer: the status, `application/problem+json`, and a body whose `code`,
 * `type`, `status`, `instance` and `requestId` agree with the request. Returns the body.
 */
export function expectProblem(res: Response, status: number, code: string): Record<string, any> {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  const path = ((res.raw.req as IncomingMessage).url ?? '').split('?')[0];
  expect(body).toMatchObject({ type: `/problems/${code}`, status, code, instance: path });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.requestId).toEqual(expect.any(String));
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

/** The sorted `field` of every entry of a problem's `errors` (none when it has no list). */
export function problemFields(res: Response): string[] {
  return ((res.json().errors ?? []) as { field: string }[]).map((e) => e.field).sort();
}

const USUAL_CODES: Record<number, string> = { 400: 'invalid_parameter', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'validation_failed' };

/** An RFC 9457 answer with the usual code for its status, naming `field` among its errors when given. */
export function expectProblemNaming(res: Response, status: number, field?: string, code = USUAL_CODES[status]!): void {
  const body = expectProblem(res, status, code);
  if (field) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
}
