import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../helpers/problems.js';

let t: TestApp;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await call(t.app, null, 'GET', '/openapi.json')).json();
});
afterAll(async () => { await t.close(); });

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
function operations(): Array<{ method: string; path: string; op: Record<string, any> }> {
  return Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, op]) => ({ method, path, op })));
}

describe('GET /docs', () => {
  test('serves the API reference page as HTML without a key', async () => {
    const res = await call(t.app, null, 'GET', '/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="swagger-ui">');
  });

  test('loads only scripts of its own origin, so the strict Content-Security-Policy holds', async () => {
    const res = await call(t.app, null, 'GET', '/docs');
    const scripts = [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toMatch(/src="\/docs\//);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  test.each([
    ['/docs/swagger-ui-bundle.js', /^application\/javascript/],
    ['/docs/swagger-ui-standalone-preset.js', /^application\/javascript/],
    ['/docs/init.js', /^application\/javascript/],
    ['/docs/swagger-ui.css', /^text\/css/],
  ])('serves %s', async (url, type) => {
    const res = await call(t.app, null, 'GET', url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
    expect(res.body.length).toBeGreaterThan(50);
  });

  test('the bundle is the real Swagger UI', async () => {
    const res = await call(t.app, null, 'GET', '/docs/swagger-ui-bundle.js');
    expect(res.body).toContain('SwaggerUIBundle');
  });

  test('an unknown asset answers 404 as a problem', async () => {
    expectProblem(await call(t.app, null, 'GET', '/docs/secrets.env'), 404, 'route_not_found');
  });
});

describe('GET /openapi.json', () => {
  test('is an OpenAPI 3.1 document served without a key', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Volunteer Hours API', version: expect.any(String) });
  });

  test('declares the bearerAuth security scheme and requires it by default', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  test('every operation has an operationId, tags and a summary, and operationIds are unique', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(15);
    const missing = ops.filter(({ op }) => !op.operationId || !Array.isArray(op.tags) || op.tags.length === 0 || !op.summary)
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('every tag an operation uses is declared', () => {
    const declared = new Set(doc.tags.map((tag: { name: string }) => tag.name));
    const used = new Set(operations().flatMap(({ op }) => op.tags as string[]));
    expect([...used].filter((tag) => !declared.has(tag))).toEqual([]);
  });

  test('operations under /v1 require bearerAuth and document 401 and 403; health checks are public', () => {
    for (const { path, op } of operations()) {
      if (path.startsWith('/v1/')) {
        expect({ path, security: op.security }).toEqual({ path, security: [{ bearerAuth: [] }] });
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    expect(doc.paths['/health/live'].get.security).toEqual([]);
    expect(doc.paths['/health/ready'].get.security).toEqual([]);
  });

  test('operations with a body document 400, 413, 415 and 422 as problem+json', () => {
    const withBody = operations().filter(({ op }) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(0);
    for (const { op } of withBody) {
      for (const status of ['400', '413', '415', '422']) {
        expect(op.responses[status].content['application/problem+json']).toBeDefined();
      }
    }
  });

  test('documents the contract\'s paths and hides the plumbing', () => {
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/communities', '/v1/communities/{id}', '/v1/organizations', '/v1/organizations/{id}', '/v1/organizations/{id}/archive',
      '/v1/service-categories', '/v1/service-categories/{id}', '/v1/api-keys', '/v1/api-keys/{id}', '/v1/audit-events',
    ]));
    for (const hidden of ['/metrics', '/openapi.json', '/docs', '/problems/{code}']) expect(doc.paths[hidden]).toBeUndefined();
  });

  test('list operations take limit (1–500) and cursor', () => {
    const limit = doc.paths['/v1/organizations'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 500, default: 50 });
    expect(doc.paths['/v1/organizations'].get.parameters.map((p: { name: string }) => p.name)).toContain('cursor');
  });
});
