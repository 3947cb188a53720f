import { createKey, createLedgerTenant, createOrganization, registerMember } from '../helpers/factories.js';
import { expectProblem } from '../helpers/problems.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { act, BATCH, countEntries, ENTRIES, entryBody, listAll, record, recorded } from './support.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** One community with two organizations, each with a coordinator and one pending and one approved entry. */
async function twoOrganizations() {
  const l = await createLedgerTenant(t.app, t.adminKey);
  const otherOrg = await createOrganization(t.app, t.adminKey, l.community.id);
  const otherCoordinator = await createKey(t.app, t.adminKey, { role: 'coordinator', organizationId: otherOrg.id });
  const otherMember = await registerMember(t.app, l.communityAdminKey, l.community.id, otherOrg.id);
  const ours = await recorded(t.app, l.coordinatorKey, entryBody(l, { minutes: 10 }));
  const theirs = await recorded(t.app, otherCoordinator, entryBody(l, { organizationId: otherOrg.id, volunteerId: otherMember.id, minutes: 20 }));
  const theirsApproved = await recorded(t.app, otherCoordinator, entryBody(l, { organizationId: otherOrg.id, volunteerId: otherMember.id, minutes: 30 }));
  await act(t.app, otherCoordinator, theirsApproved.id, 'approve');
  return { l, otherOrg, otherCoordinator, ours, theirs, theirsApproved };
}

describe('Scope › coordinators act only on their organization\'s entries', () => {
  test('a coordinator lists only its organization\'s entries, whatever filter it sends', async () => {
    const { l, otherOrg, ours } = await twoOrganizations();
    expect((await listAll(t.app, l.coordinatorKey, '')).map((e) => e.id)).toEqual([ours.id]);
    expect((await listAll(t.app, l.coordinatorKey, `communityId=${l.community.id}`)).map((e) => e.id)).toEqual([ours.id]);
    expect(await listAll(t.app, l.coordinatorKey, `organizationId=${otherOrg.id}`)).toEqual([]);
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(3);
  });

  test('another organization\'s entry answers 404 to get, approve, reject, void and PATCH, and stays as it was', async () => {
    const { l, theirs, theirsApproved } = await twoOrganizations();
    const before = [(await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${theirs.id}`)).json(), (await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${theirsApproved.id}`)).json()];
    expectProblem(await call(t.app, l.coordinatorKey, 'GET', `${ENTRIES}/${theirs.id}`), 404, 'not_found');
    expectProblem(await act(t.app, l.coordinatorKey, theirs.id, 'approve'), 404, 'not_found');
    expectProblem(await act(t.app, l.coordinatorKey, theirs.id, 'reject'), 404, 'not_found');
    expectProblem(await act(t.app, l.coordinatorKey, theirsApproved.id, 'void'), 404, 'not_found');
    expectProblem(await call(t.app, l.coordinatorKey, 'PATCH', `${ENTRIES}/${theirs.id}`, { minutes: 5 }), 404, 'not_found');
    const after = [(await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${theirs.id}`)).json(), (await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${theirsApproved.id}`)).json()];
    expect(after).toEqual(before);
  });

  test('a coordinator may approve, reject and void its own organization\'s entries', async () => {
    const { otherCoordinator, theirs, theirsApproved } = await twoOrganizations();
    expect((await act(t.app, otherCoordinator, theirs.id, 'reject')).statusCode).toBe(200);
    expect((await act(t.app, otherCoordinator, theirsApproved.id, 'void')).statusCode).toBe(200);
  });
});

describe('Scope › community admins act only on their community\'s entries', () => {
  test('a community admin sees every organization of its community but no other community', async () => {
    const { l, ours, theirs, theirsApproved } = await twoOrganizations();
    const elsewhere = await createLedgerTenant(t.app, t.adminKey);
    const foreign = await recorded(t.app, elsewhere.coordinatorKey, entryBody(elsewhere));
    expect((await listAll(t.app, l.communityAdminKey, '')).map((e) => e.id)).toEqual([ours.id, theirs.id, theirsApproved.id]);
    expect(await listAll(t.app, l.communityAdminKey, `communityId=${elsewhere.community.id}`)).toEqual([]);
    expect(await listAll(t.app, l.communityAdminKey, `volunteerId=${elsewhere.volunteer.id}`)).toEqual([]);
    expectProblem(await call(t.app, l.communityAdminKey, 'GET', `${ENTRIES}/${foreign.id}`), 404, 'not_found');
    expectProblem(await act(t.app, l.communityAdminKey, foreign.id, 'approve'), 404, 'not_found');
    expectProblem(await act(t.app, l.communityAdminKey, foreign.id, 'reject'), 404, 'not_found');
    expectProblem(await call(t.app, l.communityAdminKey, 'PATCH', `${ENTRIES}/${foreign.id}`, { minutes: 5 }), 404, 'not_found');
    await act(t.app, elsewhere.coordinatorKey, foreign.id, 'approve');
    expectProblem(await act(t.app, l.communityAdminKey, foreign.id, 'void'), 404, 'not_found');
    expect((await call(t.app, elsewhere.communityAdminKey, 'GET', `${ENTRIES}/${foreign.id}`)).json().status).toBe('approved');
  });

  test('a community admin may not record into another community: 422 naming organizationId', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    const elsewhere = await createLedgerTenant(t.app, t.adminKey);
    const res = await record(t.app, l.communityAdminKey, entryBody(elsewhere));
    expectProblem(res, 422, 'rule_violated');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['organizationId']);
    expect(await countEntries(t.app, t.adminKey, elsewhere.community.id)).toBe(0);
  });

  test('the admin sees every community', async () => {
    const { l, ours } = await twoOrganizations();
    expect((await call(t.app, t.adminKey, 'GET', `${ENTRIES}/${ours.id}`)).statusCode).toBe(200);
    expect(await countEntries(t.app, t.adminKey, l.community.id)).toBe(3);
  });
});

describe('Scope › reporters never see ledger lines', () => {
  test('a reporter answers 403 to list, get, record, batch and every transition', async () => {
    const { l, ours } = await twoOrganizations();
    const regionReporter = await createKey(t.app, t.adminKey, { role: 'reporter', regionCode: '61' });
    for (const key of [l.reporterKey, regionReporter]) {
      expectProblem(await call(t.app, key, 'GET', ENTRIES), 403, 'forbidden');
      expectProblem(await call(t.app, key, 'GET', `${ENTRIES}?communityId=${l.community.id}`), 403, 'forbidden');
      expectProblem(await call(t.app, key, 'GET', `${ENTRIES}/${ours.id}`), 403, 'forbidden');
      expectProblem(await record(t.app, key, entryBody(l)), 403, 'forbidden');
      expectProblem(await call(t.app, key, 'POST', BATCH, { entries: [entryBody(l)] }), 403, 'forbidden');
      expectProblem(await act(t.app, key, ours.id, 'approve'), 403, 'forbidden');
      expectProblem(await call(t.app, key, 'PATCH', `${ENTRIES}/${ours.id}`, { minutes: 5 }), 403, 'forbidden');
    }
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(3);
  });

  test('without a key every ledger endpoint answers 401', async () => {
    const l = await createLedgerTenant(t.app, t.adminKey);
    expectProblem(await call(t.app, null, 'GET', ENTRIES), 401, 'unauthorized');
    expectProblem(await record(t.app, 'vh_not_a_real_key_000000000000', entryBody(l)), 401, 'unauthorized');
    expect(await countEntries(t.app, l.communityAdminKey, l.community.id)).toBe(0);
  });
});
