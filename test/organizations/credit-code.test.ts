import fc from 'fast-check';
import { creditCodeCheckCharacter, isValidCreditCode } from '../../src/lib/credit-code.js';
import { call, createTestApp, type TestApp } from '../helpers/test-app.js';
import { createCommunity, createOrganization } from '../helpers/factories.js';
import { expectProblem, problemFields } from '../helpers/problems.js';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const GB_EXAMPLE = '91350100M000100Y43';

/** GB 32100-2015 §5, written out independently: weights are 3^i mod 31, check = 31 − (Σ mod 31). */
function referenceCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += ALPHABET.indexOf(first17[i]!) * (3 ** i % 31);
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Every other check character, so a "typo in the last place" is tested in all 30 ways. */
const wrongLastCharacters = (code: string): string[] => [...ALPHABET].filter((c) => c !== code[17]).map((c) => code.slice(0, 17) + c);

describe('GB 32100 unified social credit code', () => {
  test.each([
    [GB_EXAMPLE, 'the example of the standard'],
    ['91110108551385082Q', 'a Beijing enterprise'],
    ['91440300708461136T', 'a Shenzhen enterprise'],
  ])('accepts %s (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });

  test('rejects every other last character of a valid code', () => {
    for (const code of wrongLastCharacters(GB_EXAMPLE)) expect(isValidCreditCode(code)).toBe(false);
  });

  test.each([
    ['91350100m000100y43', 'lower case'],
    ['91350100M000100Y4', 'seventeen characters'],
    ['91350100M000100Y433', 'nineteen characters'],
    ['91350100I000100Y43', 'the letter I'],
    ['91350100O000100Y43', 'the letter O'],
    ['91350100S000100Y43', 'the letter S'],
    ['91350100V000100Y43', 'the letter V'],
    ['91350100Z000100Y43', 'the letter Z'],
    ['', 'the empty string'],
  ])('rejects %j (%s)', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });

  test('agrees with the standard for any seventeen characters of the alphabet', () => {
    const first17 = fc.array(fc.constantFrom(...ALPHABET), { minLength: 17, maxLength: 17 }).map((cs) => cs.join(''));
    fc.assert(fc.property(first17, (body) => {
      expect(creditCodeCheckCharacter(body)).toBe(referenceCheck(body));
      expect(isValidCreditCode(body + referenceCheck(body))).toBe(true);
    }), { numRuns: 500 });
  });

  test('finds a changed character anywhere in the code', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 16 }), fc.constantFrom(...ALPHABET), (position, replacement) => {
      fc.pre(GB_EXAMPLE[position] !== replacement);
      const changed = GB_EXAMPLE.slice(0, position) + replacement + GB_EXAMPLE.slice(position + 1);
      expect(isValidCreditCode(changed)).toBe(false);
    }), { numRuns: 200 });
  });
});

describe('POST /v1/organizations › creditCode', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  const countIn = async (communityId: string): Promise<number> =>
    (await call(t.app, t.adminKey, 'GET', `/v1/organizations?communityId=${communityId}&limit=500`)).json().data.length;

  test('accepts 91350100M000100Y43 and returns it', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id, { kind: 'enterprise', creditCode: GB_EXAMPLE });
    expect(organization.creditCode).toBe(GB_EXAMPLE);
  });

  test('rejects a credit code with a wrong check character with 422 naming creditCode, and stores nothing', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: '某公司', kind: 'enterprise', creditCode: '91350100M000100Y44' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['creditCode']);
    expect(await countIn(community.id)).toBe(0);
  });

  test('rejects a credit code with a letter outside the alphabet with 422 naming creditCode', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: '某公司', kind: 'enterprise', creditCode: '91350100O000100Y43' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['creditCode']);
  });

  test('rejects the same credit code twice in one community with 409, and keeps only the first', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    await createOrganization(t.app, t.adminKey, community.id, { kind: 'enterprise', creditCode: GB_EXAMPLE });
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: '重复', kind: 'shop', creditCode: GB_EXAMPLE });
    expectProblem(res, 409, 'conflict');
    expect(await countIn(community.id)).toBe(1);
  });

  test('accepts the same credit code in another community (a unit stationed in two communities)', async () => {
    const a = await createCommunity(t.app, t.adminKey);
    const b = await createCommunity(t.app, t.adminKey);
    await createOrganization(t.app, t.adminKey, a.id, { kind: 'enterprise', creditCode: GB_EXAMPLE });
    const res = await call(t.app, t.adminKey, 'POST', '/v1/organizations', { communityId: b.id, name: '同一单位', kind: 'enterprise', creditCode: GB_EXAMPLE });
    expect(res.statusCode).toBe(201);
  });

  test('accepts many organizations without a credit code in one community', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    await createOrganization(t.app, t.adminKey, community.id);
    await createOrganization(t.app, t.adminKey, community.id);
    expect(await countIn(community.id)).toBe(2);
  });

  test('PATCH › rejects a wrong check character with 422 and keeps the old code', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id, { creditCode: GB_EXAMPLE });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { creditCode: '91110108551385082R' });
    expectProblem(res, 422, 'validation_failed');
    expect(problemFields(res)).toEqual(['creditCode']);
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${organization.id}`)).json().creditCode).toBe(GB_EXAMPLE);
  });

  test('PATCH › taking a credit code another organization of the community holds answers 409', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    await createOrganization(t.app, t.adminKey, community.id, { creditCode: GB_EXAMPLE });
    const second = await createOrganization(t.app, t.adminKey, community.id, { creditCode: '91440300708461136T' });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${second.id}`, { creditCode: GB_EXAMPLE });
    expectProblem(res, 409, 'conflict');
    expect((await call(t.app, t.adminKey, 'GET', `/v1/organizations/${second.id}`)).json().creditCode).toBe('91440300708461136T');
  });

  test('PATCH › null clears the credit code', async () => {
    const community = await createCommunity(t.app, t.adminKey);
    const organization = await createOrganization(t.app, t.adminKey, community.id, { creditCode: GB_EXAMPLE });
    const res = await call(t.app, t.adminKey, 'PATCH', `/v1/organizations/${organization.id}`, { creditCode: null });
    expect(res.statusCode).toBe(200);
    expect(res.json().creditCode).toBeNull();
  });
});
