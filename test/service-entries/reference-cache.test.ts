import type { References } from '../../src/modules/service-entries/entry-references.js';
import { ReferenceCache } from '../../src/modules/service-entries/reference-cache.js';

const draft = { volunteerId: 'v1', organizationId: 'o1', categoryId: 'c1' };

function references(): References {
  return {
    volunteers: new Map([['v1', { id: 'v1', communityId: 'k1', status: 'active', memberNo: 1 }]]),
    organizations: new Map([['o1', { id: 'o1', communityId: 'k1', archived: false, approvalPolicy: 'manual' as const, timezone: 'Asia/Shanghai' }]]),
    categories: new Map([['c1', { id: 'c1', communityId: 'k1' }]]),
    memberships: new Set(['o1:v1']),
    addedDays: new Map(),
    now: new Date(),
  };
}

/** A clock the test moves by hand. */
function clock() {
  let at = 1_000_000;
  return { now: () => at, pass: (ms: number) => { at += ms; } };
}

describe('ReferenceCache', () => {
  test('an entry\'s facts are known until their time is up, and gone once forgotten', () => {
    const time = clock();
    const cache = new ReferenceCache(100, 20_000, time.now);
    cache.remember(references());
    expect(cache.referencesOf([draft], true)?.volunteers.get('v1')?.status).toBe('active');
    cache.forget(draft);
    expect(cache.referencesOf([draft], true)).toBeUndefined();
    cache.remember(references());
    time.pass(99);
    expect(cache.referencesOf([draft], true)).toBeDefined();
    time.pass(1);
    expect(cache.referencesOf([draft], true)).toBeUndefined();
  });

  test('facts a statement confirmed are kept for another full time, so facts in use do not all expire at once', () => {
    const time = clock();
    const cache = new ReferenceCache(100, 20_000, time.now);
    cache.remember(references());
    time.pass(60);
    cache.confirm(draft, true);
    time.pass(60); // 120 ms after remember, 60 ms after confirm
    expect(cache.referencesOf([draft], true)?.organizations.get('o1')?.timezone).toBe('Asia/Shanghai');
    time.pass(40);
    expect(cache.referencesOf([draft], true)).toBeUndefined();
  });

  test('a fact confirmed while still fresh is kept for another full time too', () => {
    const time = clock();
    const cache = new ReferenceCache(100, 20_000, time.now);
    cache.remember(references());
    time.pass(10);
    cache.confirm(draft, true); // 90 ms were left of 100: extended where it stands
    time.pass(99); // 109 ms after remember, 99 after confirm
    expect(cache.referencesOf([draft], true)).toBeDefined();
    time.pass(1);
    expect(cache.referencesOf([draft], true)).toBeUndefined();
  });

  test('confirming keeps only what is there: a fact never read is not made up', () => {
    const cache = new ReferenceCache(100);
    const refs = references();
    refs.memberships.clear();
    cache.remember(refs);
    cache.confirm(draft, true);
    expect(cache.referencesOf([draft], true)).toBeUndefined(); // the membership was never known
    expect(cache.referencesOf([draft], false)).toBeDefined();
  });

  test('the references of many entries come together, or not at all when one of them is unknown', () => {
    const cache = new ReferenceCache(100);
    const refs = references();
    refs.volunteers.set('v2', { id: 'v2', communityId: 'k1', status: 'active', memberNo: 2 });
    refs.memberships.add('o1:v2');
    cache.remember(refs);
    const both = cache.referencesOf([draft, { ...draft, volunteerId: 'v2' }], true);
    expect([...both!.volunteers.keys()].sort()).toEqual(['v1', 'v2']);
    expect([...both!.memberships].sort()).toEqual(['o1:v1', 'o1:v2']);
    expect(cache.referencesOf([draft, { ...draft, volunteerId: 'v3' }], false)).toBeUndefined();
    expect(cache.referencesOf([draft, { ...draft, categoryId: 'c2' }], false)).toBeUndefined();
  });
});
