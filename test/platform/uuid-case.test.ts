import { uuidNormalizer } from '../../src/plugins/uuid-case.js';
import { createLedgerTenant } from '../helpers/factories.js';
import { entryBody } from '../service-entries/support.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';

/** UUIDs are case-insensitive (RFC 9562): capitals anywhere a client sends an id name the same object. */
describe('UUIDs in capitals', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  const upper = (id: string) => id.toUpperCase();

  test('in a query: a coordinator filtering by its own organization in capitals lists its entries, not an empty page', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const recorded = await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', entryBody(l));
    expect(recorded.statusCode).toBe(201);
    const listed = await call(t.app, l.coordinatorKey, 'GET', `/v1/service-entries?organizationId=${upper(l.organization.id)}`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((e: { id: string }) => e.id)).toEqual([recorded.json().id]);
  });

  test('in a path: GET of an entry by its id in capitals answers the entry', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const entry = (await call(t.app, l.coordinatorKey, 'POST', '/v1/service-entries', entryBody(l))).json();
    const got = await call(t.app, l.coordinatorKey, 'GET', `/v1/service-entries/${upper(entry.id)}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(entry);
  });

  test('in a body: a community admin creates a key for its own community named in capitals', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const res = await call(t.app, l.communityAdminKey, 'POST', '/v1/api-keys', { name: 'reporting', role: 'reporter', communityId: upper(l.community.id) });
    expect(res.statusCode).toBe(201);
    expect(res.json().communityId).toBe(l.community.id);
  });
});

describe('uuidNormalizer', () => {
  test('lowercases the UUIDs a schema declares (properties, items, nullable unions) and nothing else', () => {
    const normalize = uuidNormalizer({
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
        maybe: { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] },
        name: { type: 'string' },
      },
    })!;
    const id = '0192F0C4-5A6E-7D3B-9C1A-2B3C4D5E6F70';
    const data = { id, ids: [id, id], maybe: id, name: id };
    normalize(data);
    expect(data).toEqual({ id: id.toLowerCase(), ids: [id.toLowerCase(), id.toLowerCase()], maybe: id.toLowerCase(), name: id });
    expect(uuidNormalizer({ type: 'object', properties: { name: { type: 'string' } } })).toBeUndefined();
  });
});
