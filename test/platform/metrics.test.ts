import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('GET /metrics', () => {
  test('answers Prometheus text without a key', async () => {
    const res = await call(t.app, null, 'GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE http_requests_total counter');
    expect(res.body).toContain('process_cpu_seconds_total');
  });

  test('counts requests by route pattern, method and status, never by raw id', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    await call(t.app, t.adminKey, 'GET', `/v1/communities/${community.id}`);
    await call(t.app, t.adminKey, 'GET', `/v1/communities/${community.id}`);
    await call(t.app, null, 'GET', '/v1/nowhere');
    const body = (await call(t.app, null, 'GET', '/metrics')).body;
    expect(body).toMatch(/http_requests_total\{method="GET",route="\/v1\/communities\/:id",status_code="200"\} [2-9]/);
    expect(body).toMatch(/http_requests_total\{method="POST",route="\/v1\/communities",status_code="201"\} \d+/);
    expect(body).toMatch(/http_requests_total\{method="GET",route="unmatched",status_code="404"\} \d+/);
    expect(body).toContain('http_request_duration_seconds_bucket{');
    expect(body).not.toContain(community.id);
    expect(body).not.toContain('/v1/nowhere');
  });

  test('two apps in one process keep separate counters', async () => {
    const other = await createTestApp();
    try {
      const body = (await call(other.app, null, 'GET', '/metrics')).body;
      expect(body).not.toContain('route="/v1/communities/:id"');
    } finally {
      await other.close();
    }
  });
});
