import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createCommunity, createKey, createOrganization, createVolunteer } from '../helpers/factories.js';
import { call } from '../helpers/test-app.js';
import type { Labels, ModelEntry } from './ledger-model.js';

/** What becomes of an entry: left pending, approved, rejected, approved then voided, or approved after the voids. */
export type Fate = 'leave' | 'approve' | 'reject' | 'void' | 'late';

export interface LedgerSpec {
  communities: Array<{
    /** One organization per item: whether its approvalPolicy is `auto`. */
    organizations: boolean[];
    /** One volunteer per item: the organizations (indices, modulo) the volunteer joins. */
    volunteers: number[][];
  }>;
  entries: Array<{
    community: number; volunteer: number; membership: number; category: number;
    servedOn: string; minutes: number; selfReport: boolean; fate: Fate;
  }>;
}

export const CATEGORY_CODES = ['home_repair', 'loving_care', 'environment_health'] as const;

export interface BuiltCommunity {
  id: string;
  regionCode: string;
  organizations: string[];
  volunteers: Array<{ id: string; organizations: string[] }>;
  /** Category ids, by the index of their code in CATEGORY_CODES. */
  categories: string[];
}

export interface Ledger {
  /** The division-code prefix every community of this ledger (and no other) carries. */
  prefix: string;
  communities: BuiltCommunity[];
  organizations: Array<{ id: string; communityId: string }>;
  entries: ModelEntry[];
  labels: Labels;
  /** A reporter key for the whole prefix. */
  reporterKey: string;
}

const hex = (): string => randomBytes(3).toString('hex');

/** Nine digits no other test uses ('69…'; every other test's codes start with 61). */
export const uniqueRegionPrefix = (): string => `69${String(randomInt(10_000_000)).padStart(7, '0')}`;

async function ok(res: Awaited<ReturnType<typeof call>>, status: number, what: string): Promise<Record<string, any>> {
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Communities, organizations, volunteers and memberships of the spec, with names a CSV must quote. */
async function buildPeople(app: FastifyInstance, adminKey: string, spec: LedgerSpec, prefix: string, labels: Labels): Promise<BuiltCommunity[]> {
  const communities: BuiltCommunity[] = [];
  for (const [i, c] of spec.communities.entries()) {
    const name = `社区 "${i}", ${hex()}`;
    const community = await createCommunity(app, adminKey, { name, regionCode: `${prefix}${i + 1}${String(randomInt(100)).padStart(2, '0')}` });
    labels.communities.set(community.id, name);
    const organizations: string[] = [];
    for (const [j, auto] of c.organizations.entries()) {
      const orgName = `组织,${i}-${j} "${hex()}"`;
      const organization = await createOrganization(app, adminKey, community.id, { name: orgName, approvalPolicy: auto ? 'auto' : 'manual' });
      labels.organizations.set(organization.id, orgName);
      organizations.push(organization.id);
    }
    const volunteers: BuiltCommunity['volunteers'] = [];
    for (const joins of c.volunteers) {
      const volunteer = await createVolunteer(app, adminKey, community.id);
      labels.volunteers.set(volunteer.id, volunteer.volunteerCode);
      const member = [...new Set(joins.map((n) => organizations[n % organizations.length]!))];
      for (const organizationId of member) {
        await ok(await call(app, adminKey, 'POST', `/v1/organizations/${organizationId}/members`, { volunteerId: volunteer.id }), 201, 'join');
      }
      volunteers.push({ id: volunteer.id, organizations: member });
    }
    const list = await ok(await call(app, adminKey, 'GET', `/v1/service-categories?communityId=${community.id}&limit=100`), 200, 'categories');
    const categories = CATEGORY_CODES.map((code) => {
      const category = (list.data as Array<{ id: string; code: string; name: string }>).find((x) => x.code === code)!;
      labels.categories.set(category.id, { code: category.code, name: category.name });
      return category.id;
    });
    communities.push({ id: community.id, regionCode: community.regionCode, organizations, volunteers, categories });
  }
  return communities;
}

/**
 * Builds the ledger through the HTTP API only: one batch import, then approvals and rejections,
 * then voids, then late approvals, each through its endpoint, so the rollups are kept by the real
 * write path. Returns the model of every entry with the status the API reported.
 */
export async function buildLedger(app: FastifyInstance, adminKey: string, spec: LedgerSpec): Promise<Ledger> {
  const prefix = uniqueRegionPrefix();
  const labels: Labels = { communities: new Map(), organizations: new Map(), categories: new Map(), volunteers: new Map() };
  const communities = await buildPeople(app, adminKey, spec, prefix, labels);

  const dayMinutes = new Map<string, number>();
  const planned = spec.entries.flatMap((e) => {
    const community = communities[e.community % communities.length]!;
    const volunteer = community.volunteers[e.volunteer % community.volunteers.length]!;
    const day = `${volunteer.id}|${e.servedOn}`;
    if ((dayMinutes.get(day) ?? 0) + e.minutes > 1440) return []; // the ledger's day cap; not what this test is about
    dayMinutes.set(day, (dayMinutes.get(day) ?? 0) + e.minutes);
    const body = {
      volunteerId: volunteer.id,
      organizationId: volunteer.organizations[e.membership % volunteer.organizations.length]!,
      categoryId: community.categories[e.category % community.categories.length]!,
      servedOn: e.servedOn,
      minutes: e.minutes,
      ...(e.selfReport ? { source: 'self_report' } : {}),
    };
    return [{ body, fate: e.fate, communityId: community.id }];
  });
  const entries: ModelEntry[] = [];
  if (planned.length > 0) {
    const batch = await ok(await call(app, adminKey, 'POST', '/v1/service-entries/batch', { entries: planned.map((p) => p.body) }), 201, 'batch');
    (batch.data as ModelEntry[]).forEach((row, i) => {
      expect(row).toMatchObject({ ...planned[i]!.body, source: planned[i]!.body.source ?? 'import', communityId: planned[i]!.communityId });
      entries.push({ id: row.id, communityId: row.communityId, organizationId: row.organizationId, categoryId: row.categoryId, volunteerId: row.volunteerId, servedOn: row.servedOn, minutes: row.minutes, status: row.status });
    });
  }
  const act = async (entry: ModelEntry, action: 'approve' | 'reject' | 'void', status: ModelEntry['status']) => {
    const body = action === 'approve' ? undefined : { reason: `${action} in a property test` };
    const answer = await ok(await call(app, adminKey, 'POST', `/v1/service-entries/${entry.id}/${action}`, body), 200, action);
    expect(answer.status).toBe(status);
    entry.status = status;
  };
  const fates = planned.map((p) => p.fate);
  for (const [i, entry] of entries.entries()) {
    if (entry.status !== 'pending') continue;
    if (fates[i] === 'approve' || fates[i] === 'void') await act(entry, 'approve', 'approved');
    if (fates[i] === 'reject') await act(entry, 'reject', 'rejected');
  }
  for (const [i, entry] of entries.entries()) {
    if ((fates[i] === 'void' || fates[i] === 'reject') && entry.status === 'approved') await act(entry, 'void', 'voided');
  }
  for (const [i, entry] of entries.entries()) if (fates[i] === 'late' && entry.status === 'pending') await act(entry, 'approve', 'approved');

  const reporterKey = await createKey(app, adminKey, { role: 'reporter', regionCode: prefix });
  const organizations = communities.flatMap((c) => c.organizations.map((id) => ({ id, communityId: c.id })));
  return { prefix, communities, organizations, entries, labels, reporterKey };
}
