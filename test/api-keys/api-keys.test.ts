import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { apiKeys } from '../../src/db/schema/index.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createTenant } from '../helpers/factories.js';
import { collectPages } from '../helpers/pages.js';
import { expectProblem } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

async function mint(body: Record<string, unknown>, key = t.adminKey): Promise<Record<string, any>> {
  const res = await call(t.app, key, 'POST', '/v1/api-keys', { name: 'test key', ...body });
  if (res.statusCode !== 201) throw new Error(`mint: ${res.statusCode} ${res.body}`);
  return res.json();
}

describe('POST /v1/api-keys', () => {
  test('returns the secret once, starting with vh_, with 201, Location and Cache-Control: no-store', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: '社区办公室', role: 'community_admin', communityId: community.id });
    expect(res.statusCode).toBe(201);
    const key = res.json();
    expect(res.headers.location).toBe(`/v1/api-keys/${key.id}`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(key).toEqual({
      id: expect.any(String), name: '社区办公室', role: 'community_admin', communityId: community.id, organizationId: null,
      regionCode: null, start: key.secret.slice(0, 7), createdAt: expect.any(String), revokedAt: null,
      secret: expect.stringMatching(/^vh_[A-Za-z0-9_-]{40,}$/),
    });
  });

  test('the new secret works as a bearer key at once', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const key = await mint({ role: 'community_admin', communityId: community.id });
    const res = await call(t.app, key.secret, 'GET', `/v1/communities/${community.id}`);
    expect(res.statusCode).toBe(200);
  });

  test('a coordinator key takes the community of its organization', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const key = await mint({ role: 'coordinator', organizationId: tenant.organization.id });
    expect(key).toMatchObject({ role: 'coordinator', organizationId: tenant.organization.id, communityId: tenant.community.id });
  });

  test('reporter keys may be scoped to a community, a region prefix, or nothing', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    expect(await mint({ role: 'reporter', communityId: community.id })).toMatchObject({ communityId: community.id, regionCode: null });
    expect(await mint({ role: 'reporter', regionCode: '6103' })).toMatchObject({ communityId: null, regionCode: '6103' });
    expect(await mint({ role: 'reporter' })).toMatchObject({ communityId: null, regionCode: null });
  });

  test('the database keeps only a SHA-256 of the secret, never the secret itself', async () => {
    const key = await mint({ role: 'admin' });
    const [row] = await t.app.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(row!.secretHash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(row!.start).toBe(key.secret.slice(0, 7));
    const raw = await t.app.db.execute(sql`select * from api_keys where id = ${key.id}`);
    const stored = JSON.stringify((raw as unknown as { rows: unknown[] }).rows);
    expect(stored).toContain(key.id);
    expect(stored).not.toContain(key.secret);
    expect(stored).not.toContain(key.secret.slice(3));
  });

  test('the audit trail never holds the secret', async () => {
    const key = await mint({ role: 'admin' });
    const res = await call(t.app, t.adminKey, 'GET', `/v1/audit-events?entityType=api_key&entityId=${key.id}`);
    expect(res.json().data).toHaveLength(1);
    expect(res.body).not.toContain(key.secret);
  });
});

describe('GET /v1/api-keys', () => {
  test('lists keys without their secrets', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const key = await mint({ role: 'community_admin', communityId: community.id });
    const res = await call(t.app, t.adminKey, 'GET', `/v1/api-keys?communityId=${community.id}`);
    expect(res.statusCode).toBe(200);
    const { secret: _secret, ...view } = key;
    expect(res.json().data).toEqual([view]);
    expect(res.body).not.toContain(key.secret);
    expect(res.body).not.toMatch(/"secret"|secretHash|lookup/);
  });

  test('pages through a community\'s keys', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const minted = [];
    for (let i = 0; i < 5; i += 1) minted.push(await mint({ role: 'reporter', communityId: community.id }));
    const pages = await collectPages(t.app, t.adminKey, `/v1/api-keys?communityId=${community.id}&limit=2`);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((k) => k.id)).toEqual(minted.map((k) => k.id));
  });
});

describe('GET /v1/api-keys/{id}', () => {
  test('returns the key without its secret', async () => {
    const key = await mint({ role: 'reporter', regionCode: '61' });
    const res = await call(t.app, t.adminKey, 'GET', `/v1/api-keys/${key.id}`);
    expect(res.statusCode).toBe(200);
    const { secret: _secret, ...view } = key;
    expect(res.json()).toEqual(view);
  });

  test('answers 404 for an id that names no key', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/api-keys/01900000-0000-7000-8000-000000000000'), 404, 'not_found');
  });
});

describe('DELETE /v1/api-keys/{id}', () => {
  test('revokes the key with 204: it then gets 401 and shows revokedAt', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const key = await mint({ role: 'community_admin', communityId: community.id });
    const res = await call(t.app, t.adminKey, 'DELETE', `/v1/api-keys/${key.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const denied = await call(t.app, key.secret, 'GET', `/v1/communities/${community.id}`);
    expectProblem(denied, 401, 'unauthorized');
    expect(denied.headers['www-authenticate']).toBe('Bearer');
    const shown = await call(t.app, t.adminKey, 'GET', `/v1/api-keys/${key.id}`);
    expect(shown.json().revokedAt).toEqual(expect.any(String));
  });

  test('revoking twice is harmless: 204 again, revokedAt unchanged', async () => {
    const key = await mint({ role: 'reporter' });
    expect((await call(t.app, t.adminKey, 'DELETE', `/v1/api-keys/${key.id}`)).statusCode).toBe(204);
    const first = (await call(t.app, t.adminKey, 'GET', `/v1/api-keys/${key.id}`)).json().revokedAt;
    expect((await call(t.app, t.adminKey, 'DELETE', `/v1/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/api-keys/${key.id}`)).json().revokedAt).toBe(first);
  });

  test('answers 404 for an id that names no key', async () => {
    expectProblem(await call(t.app, t.adminKey, 'DELETE', '/v1/api-keys/01900000-0000-7000-8000-000000000000'), 404, 'not_found');
  });

  test('a revoked key stops at once even when verified keys are cached', async () => {
    const cached = await createTestApp({ AUTH_CACHE_TTL_MS: '60000' });
    try {
      const res = await call(cached.app, cached.adminKey, 'POST', '/v1/api-keys', { name: 'cached', role: 'reporter' });
      const key = res.json();
      expect((await call(cached.app, key.secret, 'GET', '/v1/communities')).statusCode).toBe(403);
      expect((await call(cached.app, cached.adminKey, 'DELETE', `/v1/api-keys/${key.id}`)).statusCode).toBe(204);
      expectProblem(await call(cached.app, key.secret, 'GET', '/v1/communities'), 401, 'unauthorized');
    } finally {
      await cached.close();
    }
  });

  test('a key that revokes itself is refused from the next request on', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const own = (await call(t.app, tenant.communityAdminKey, 'GET', `/v1/api-keys?communityId=${tenant.community.id}`)).json()
      .data.find((k: { role: string }) => k.role === 'community_admin');
    expect((await call(t.app, tenant.communityAdminKey, 'DELETE', `/v1/api-keys/${own.id}`)).statusCode).toBe(204);
    expectProblem(await call(t.app, tenant.communityAdminKey, 'GET', '/v1/api-keys'), 401, 'unauthorized');
  });
});
