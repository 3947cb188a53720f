import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createOrganization, createTenant, uniqueRegionCode } from '../helpers/factories.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const MISSING = '01900000-0000-7000-8000-000000000000';

/** How many communities carry this region code: the witness that a rejected POST stored nothing. */
const countRegion = async (regionCode: string): Promise<number> =>
  (await call(t.app, t.adminKey, 'GET', `/v1/communities?regionCode=${regionCode}`)).json().data.length;

describe('Problems › 400 Bad Request', () => {
  test('a body that is not valid JSON answers 400 malformed_json, and nothing is stored', async () => {
    const regionCode = uniqueRegionCode();
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', `{"name":"x","regionCode":"${regionCode}"`, { 'content-type': 'application/json' });
    expectProblem(res, 400, 'malformed_json');
    expect(await countRegion(regionCode)).toBe(0);
  });

  test('JSON with a __proto__ key answers 400 malformed_json', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', '{"name":"x","__proto__":{"admin":true}}', { 'content-type': 'application/json' });
    expectProblem(res, 400, 'malformed_json');
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['regionCode=61ab', 'regionCode'],
    ['colour=red', 'colour'],
  ])('GET /v1/communities?%s answers 400 invalid_parameter naming %s', async (query, field) => {
    const res = await call(t.app, t.adminKey, 'GET', `/v1/communities?${query}`);
    expectProblem(res, 400, 'invalid_parameter');
    expect(problemFields(res)).toEqual([field]);
  });

  test('limit=500 is the largest page and is accepted', async () => {
    expect((await call(t.app, t.adminKey, 'GET', '/v1/communities?limit=500')).statusCode).toBe(200);
  });

  test.each([
    ['text that is not base64 of an id', 'abc', 'invalid_cursor'],
    ['base64 of something that is not an id', Buffer.from('not-a-uuid').toString('base64url'), 'invalid_cursor'],
    ['longer than any cursor this API issues', 'A'.repeat(101), 'invalid_parameter'],
  ])('a cursor that is %s answers 400 naming cursor', async (_label, cursor, code) => {
    const res = await call(t.app, t.adminKey, 'GET', `/v1/organizations?cursor=${cursor}`);
    expectProblem(res, 400, code);
    expect(problemFields(res)).toEqual(['cursor']);
  });

  test('an id in the path that is not a UUID answers 400 naming id', async () => {
    const res = await call(t.app, t.adminKey, 'GET', '/v1/organizations/42');
    expectProblem(res, 400, 'invalid_parameter');
    expect(problemFields(res)).toEqual(['id']);
  });
});

describe('Problems › 401 Unauthorized', () => {
  test.each([
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Bearer vh_this_key_was_never_issued_0123456789' }],
    ['the Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer without a key', { authorization: 'Bearer ' }],
    ['a key with a space in it', { authorization: 'Bearer vh_abc def' }],
    ['a bare key without a scheme', { authorization: 'vh_abcdefghijklmnopqrstuvwxyz' }],
  ])('%s answers 401 with WWW-Authenticate: Bearer', async (_label, headers) => {
    const res = await call(t.app, null, 'GET', '/v1/communities', undefined, headers);
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  test('the scheme name is case-insensitive (RFC 9110 §11.1)', async () => {
    const res = await call(t.app, null, 'GET', '/v1/communities', undefined, { authorization: `bearer ${t.adminKey}` });
    expect(res.statusCode).toBe(200);
  });

  test('a rejected key stores nothing', async () => {
    const regionCode = uniqueRegionCode();
    await call(t.app, 'vh_wrong', 'POST', '/v1/communities', { name: 'x', regionCode });
    expect(await countRegion(regionCode)).toBe(0);
  });
});

describe('Problems › 403 Forbidden', () => {
  test('a coordinator creating an organization answers 403 naming the role, and stores nothing', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    const res = await call(t.app, tenant.coordinatorKey, 'POST', '/v1/organizations', { communityId: tenant.community.id, name: 'x', kind: 'shop' });
    const problem = expectProblem(res, 403, 'forbidden');
    expect(problem.detail).toContain('coordinator');
    const list = await call(t.app, t.adminKey, 'GET', `/v1/organizations?communityId=${tenant.community.id}`);
    expect(list.json().data).toHaveLength(1);
  });

  test('a reporter listing organizations answers 403', async () => {
    const tenant = await createTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, tenant.reporterKey, 'GET', '/v1/organizations'), 403, 'forbidden');
  });
});

describe('Problems › 404 Not Found', () => {
  test('an unknown route answers 404 route_not_found, with or without a key', async () => {
    expectProblem(await call(t.app, t.adminKey, 'GET', '/v1/volunteer-hours'), 404, 'route_not_found');
    expectProblem(await call(t.app, null, 'GET', '/nothing/here?x=1'), 404, 'route_not_found');
  });

  test.each([
    ['/v1/communities'],
    ['/v1/organizations'],
    ['/v1/service-categories'],
    ['/v1/api-keys'],
  ])('an unknown id under %s answers 404 not_found', async (base) => {
    expectProblem(await call(t.app, t.adminKey, 'GET', `${base}/${MISSING}`), 404, 'not_found');
  });
});

describe('Problems › 409 Conflict', () => {
  test('a duplicate service category code answers 409 with a detail saying why', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/service-categories', { communityId: community.id, code: 'home_repair', name: 'x' });
    expect(expectProblem(res, 409, 'conflict').detail).toContain('home_repair');
  });
});

describe('Problems › 413 Payload Too Large', () => {
  test('a 5 MB body answers 413, and nothing is stored', async () => {
    const regionCode = uniqueRegionCode();
    const body = JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024), regionCode });
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', body, { 'content-type': 'application/json' });
    expectProblem(res, 413, 'payload_too_large');
    expect(await countRegion(regionCode)).toBe(0);
  });

  test('the limit follows BODY_LIMIT_BYTES', async () => {
    const small = await createTestApp({ BODY_LIMIT_BYTES: '2048' });
    try {
      const res = await call(small.app, small.adminKey, 'POST', '/v1/communities', { name: 'x'.repeat(3000) });
      expectProblem(res, 413, 'payload_too_large');
      expect((await call(small.app, small.adminKey, 'POST', '/v1/communities', { name: 'x'.repeat(100) })).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('Problems › 415 Unsupported Media Type', () => {
  test.each([
    ['text/plain', '{"name":"x"}'],
    ['application/x-www-form-urlencoded', 'name=x'],
    ['application/xml', '<community><name>x</name></community>'],
  ])('a %s body answers 415, and nothing is stored', async (contentType, body) => {
    const regionCode = uniqueRegionCode();
    const payload = body.replace('"x"', `"x","regionCode":"${regionCode}"`);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', payload, { 'content-type': contentType });
    expectProblem(res, 415, 'unsupported_media_type');
    expect(await countRegion(regionCode)).toBe(0);
  });
});

describe('Empty bodies sent as JSON', () => {
  test('a create with an empty body declared as JSON answers 422: the body is required', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', '', { 'content-type': 'application/json' });
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors).toEqual([{ field: '', message: 'must be object' }]);
  });

  test('a bodiless archive or revoke with Content-Type: application/json is accepted', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const json = { 'content-type': 'application/json' };
    expect((await call(t.app, t.adminKey, 'POST', `/v1/organizations/${organization.id}/archive`, '', json)).statusCode).toBe(200);
    const key = (await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'k', role: 'reporter' })).json();
    expect((await call(t.app, t.adminKey, 'DELETE', `/v1/api-keys/${key.id}`, '', json)).statusCode).toBe(204);
  });
});

describe('The NUL character, which PostgreSQL cannot store', () => {
  test('in a body string answers 422 naming the field, and nothing is stored', async () => {
    const regionCode = uniqueRegionCode();
    const res = await call(t.app, t.adminKey, 'POST', '/v1/communities', { name: 'a\u0000b', regionCode });
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors).toEqual([{ field: 'name', message: expect.stringContaining('NUL') }]);
    expect(await countRegion(regionCode)).toBe(0);
  });

  test('in a nested or unknown property answers 422, not 500', async () => {
    const res = await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 'k', role: 'reporter', 'note\u0000': 'x' });
    expectProblem(res, 422, 'validation_failed');
  });

  test.each([
    ['/v1/organizations?q=a%00b', 'q'],
    ['/v1/audit-events?entityType=%00', 'entityType'],
  ])('in a query parameter (%s) answers 400 naming %s', async (url, field) => {
    const res = await call(t.app, t.adminKey, 'GET', url);
    expectProblem(res, 400, 'invalid_parameter');
    expect(problemFields(res)).toEqual([field]);
  });
});

describe('Problems › 422 Unprocessable Content', () => {
  test('lists every bad field at once: missing, wrong type, unknown, out of range', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: 42, kind: 'bank', creditCode: 'short', extra: true });
    const problem = expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['creditCode', 'extra', 'kind', 'name']);
    for (const error of problem.errors) expect(error.message).toEqual(expect.any(String));
    expect(problem.detail).toContain('extra');
  });

  test('a JSON array instead of an object answers 422', async () => {
    expectProblem(await call(t.app, t.adminKey, 'POST', '/v1/communities', [{ name: 'x' }]), 422, 'validation_failed');
  });

  test('strings are not coerced to integers, nor numbers to strings, nor strings to booleans', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id);
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/communities/${community.id}`, { population: '100', name: 12 });
    expect(problemFields(res)).toEqual(['name', 'population']);
    const key = await call(t.app, t.adminKey, 'POST', '/v1/api-keys', { name: 1, role: 'reporter' });
    expect(problemFields(key)).toEqual(['name']);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${organization.id}`)).json()).toEqual(organization);
  });
});

describe('Problem types', () => {
  test('GET /problems/{code} describes a problem type without a key', async () => {
    const res = await call(t.app, null, 'GET', '/problems/validation_failed');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: 'validation_failed', status: 422, title: 'The request body failed validation' });
  });

  test.each(['no_such_problem', 'toString', 'constructor', '__proto__'])('GET /problems/%s answers 404', async (code) => {
    expectProblem(await call(t.app, null, 'GET', `/problems/${code}`), 404, 'not_found');
  });
});
