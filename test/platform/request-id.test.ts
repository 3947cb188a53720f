import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  test('echoes the caller\'s id on a success', async () => {
    const res = await call(t.app, t.adminKey, 'GET', '/v1/communities', undefined, { 'x-request-id': 'portal-7f3a:42' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('portal-7f3a:42');
  });

  test('generates a UUIDv7 when the caller sends none, different for each request', async () => {
    const first = await call(t.app, null, 'GET', '/health/live');
    const second = await call(t.app, null, 'GET', '/health/live');
    expect(first.headers['x-request-id']).toMatch(UUID_V7);
    expect(second.headers['x-request-id']).toMatch(UUID_V7);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  test.each([
    ['spaces and angle brackets', '<script> alert'],
    ['more than 128 characters', 'a'.repeat(129)],
  ])('replaces an id with %s by a generated one', async (_label, given) => {
    const res = await call(t.app, null, 'GET', '/health/live', undefined, { 'x-request-id': given });
    expect(res.headers['x-request-id']).toMatch(UUID_V7);
  });

  test('a problem body carries the same requestId as the header, for the caller\'s id', async () => {
    const res = await call(t.app, null, 'GET', '/v1/communities', undefined, { 'x-request-id': 'trace-401' });
    const problem = expectProblem(res, 401, 'unauthorized');
    expect(problem.requestId).toBe('trace-401');
  });

  test('a problem body carries the same requestId as the header, for a generated id', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', {});
    const problem = expectProblem(res, 422, 'validation_failed');
    expect(problem.requestId).toMatch(UUID_V7);
  });

  test('an unknown route also echoes the id in header and body', async () => {
    const res = await call(t.app, null, 'GET', '/v2/nothing', undefined, { 'x-request-id': 'trace-404' });
    expect(expectProblem(res, 404, 'route_not_found').requestId).toBe('trace-404');
  });
});
