import { createLedgerTenant } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { act, BATCH, countEntries, ENTRIES, entryBody, fieldsOf, recorded, type Ledger } from './support.js';

let t: TestApp;
let l: Ledger;
beforeAll(async () => {
  t = await createTestApp();
  l = await createLedgerTenant(t.app, t.adminKey);
});
afterAll(async () => { await t.close(); });

/** Sends `payload` as is, and proves afterwards that the community's ledger did not grow. */
async function hostile(method: 'POST' | 'PATCH', url: string, payload: string | Buffer, contentType: string) {
  const before = await countEntries(t.app, l.communityAdminKey, l.community.id);
  const res = await t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${l.coordinatorKey}`, 'content-type': contentType } });
  expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(before);
  return res;
}

const json = (value: unknown): string => JSON.stringify(value);

describe('Hostile input › POST /v1/service-entries and /batch', () => {
  test.each([ENTRIES, BATCH])('%s: malformed JSON answers 400 malformed_json', async (url) => {
    const res = await hostile('POST', url, '{"volunteerId": "x", "minutes": 60', 'application/json');
    expectProblem(res, 400, 'malformed_json');
  });

  test.each([ENTRIES, BATCH])('%s: a 5 MB body answers 413 payload_too_large', async (url) => {
    const huge = json({ ...entryBody(l), description: 'x'.repeat(5 * 1024 * 1024) });
    const res = await hostile('POST', url, huge, 'application/json');
    expectProblem(res, 413, 'payload_too_large');
  });

  test.each([
    ['text/plain', (body: string) => body],
    ['application/xml', () => '<entry><minutes>60</minutes></entry>'],
    ['application/x-www-form-urlencoded', () => 'minutes=60&servedOn=2026-03-01'],
    ['multipart/form-data; boundary=x', () => '--x\r\nContent-Disposition: form-data; name="minutes"\r\n\r\n60\r\n--x--'],
  ])('a body sent as %s answers 415 unsupported_media_type', async (contentType, payload) => {
    const res = await hostile('POST', ENTRIES, payload(json(entryBody(l))), contentType);
    expectProblem(res, 415, 'unsupported_media_type');
  });

  test('an unknown property answers 422 naming it', async () => {
    const res = await hostile('POST', ENTRIES, json({ ...entryBody(l), status: 'approved' }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['status']);
  });

  test('provenance cannot be forged: recordedByKeyId and approvedByKeyId in the body answer 422', async () => {
    const res = await hostile('POST', ENTRIES, json({ ...entryBody(l), recordedByKeyId: l.volunteer.id, approvedByKeyId: l.volunteer.id }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['approvedByKeyId', 'recordedByKeyId']);
  });

  test('an unknown property inside a batch item is named with its index', async () => {
    const res = await hostile('POST', BATCH, json({ entries: [entryBody(l), { ...entryBody(l), id: l.volunteer.id }] }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors).toEqual([expect.objectContaining({ index: 1, field: 'entries[1].id' })]);
  });

  test('an unknown top-level property of a batch answers 422', async () => {
    const res = await hostile('POST', BATCH, json({ entries: [entryBody(l)], atomic: false }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['atomic']);
  });

  test.each([
    ['a JSON array', '[]'], ['a JSON string', '"entry"'], ['JSON null', 'null'], ['an empty body', ''],
  ])('%s instead of an object answers a 4xx problem', async (_label, payload) => {
    const res = await hostile('POST', ENTRIES, payload, 'application/json');
    expect([400, 422]).toContain(res.statusCode);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  test('a NUL character in a text field answers 422 naming the field', async () => {
    const res = await hostile('POST', ENTRIES, json({ ...entryBody(l), description: 'a\u0000b' }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['description']);
  });

  test('ids that are not UUIDs answer 422 naming each of them', async () => {
    const res = await hostile('POST', ENTRIES, json({ ...entryBody(l), volunteerId: "' or 1=1 --", categoryId: 42 }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['categoryId', 'volunteerId']);
  });

  test('an over-long description answers 422 naming description', async () => {
    const res = await hostile('POST', ENTRIES, json({ ...entryBody(l), description: '长'.repeat(1001) }), 'application/json');
    expectProblem(res, 422, 'validation_failed');
    expect(fieldsOf(res)).toEqual(['description']);
  });
});

describe('Hostile input › PATCH and transitions', () => {
  test('PATCH with malformed JSON, the wrong content type or an unknown property changes nothing', async () => {
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 15 }));
    const url = `${ENTRIES}/${entry.id}`;
    expectProblem(await hostile('PATCH', url, '{"minutes":', 'application/json'), 400, 'malformed_json');
    expectProblem(await hostile('PATCH', url, 'minutes=20', 'text/plain'), 415, 'unsupported_media_type');
    expectProblem(await hostile('PATCH', url, json({ minutes: 20, organizationId: l.organization.id }), 'application/json'), 422, 'validation_failed');
    expect((await call(t.app, l.coordinatorKey, 'GET', url)).json()).toEqual(entry);
  });

  test('reject with an unknown property or a 501-character reason answers 422 and the entry stays pending', async () => {
    const entry = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 16 }));
    const url = `${ENTRIES}/${entry.id}/reject`;
    expectProblem(await hostile('POST', url, json({ reason: 'dup', force: true }), 'application/json'), 422, 'validation_failed');
    expectProblem(await hostile('POST', url, json({ reason: 'r'.repeat(501) }), 'application/json'), 422, 'validation_failed');
    expect((await act(t.app, l.coordinatorKey, entry.id, 'approve')).json().status).toBe('approved');
  });
});
