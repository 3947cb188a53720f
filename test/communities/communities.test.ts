import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createTenant } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

describe('POST /v1/communities', () => {
  test('creates a community with the default star thresholds and fourteen default categories', async () => {
    const community = await createCommunity(t.app, t.adminKey, { population: 16000, households: 4900 });
    expect(community.starThresholds).toEqual([100, 300, 600, 1000, 1500]);
    expect(community.timezone).toBe('Asia/Shanghai');
    const res = await call(t.app, t.adminKey, 'GET', `/v1/service-categories?communityId=${community.id}&limit=100`);
    expect(res.statusCode).toBe(200);
    const codes = res.json().data.map((c: { code: string }) => c.code).sort();
    expect(codes).toHaveLength(14);
    expect(codes).toContain('law_enforcement_for_people');
  });

  test('rejects unknown properties and wrong types with 422 naming each field, and stores nothing', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: 7, colour: 'red', population: '5' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = res.json().errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['colour', 'name', 'population']);
  });

  test('a community admin key gets 404 on another community', async () => {
    const a = await createTenant(t.app, t.adminKey);
    const b = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, a.communityAdminKey, 'GET', `/v1/communities/${b.community.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });
});
