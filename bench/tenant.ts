import { randomBytes } from 'node:crypto';

export interface Tenant {
  communityId: string;
  organizationId: string;
  categoryIds: string[];
  volunteerIds: string[];
  coordinatorKey: string;
  reporterKey: string;
  communityAdminKey: string;
  regionPrefix: string;
  days: string[];
  yearFrom: string;
  yearTo: string;
  /** Entries/s over 10 batches of 1,000 per stream; `slot` picks days no other measurement uses; `withKeys` sends each batch with an Idempotency-Key, as an importer that retries safely does. */
  batchEntriesPerSecond(slot: number, streams?: number, withKeys?: boolean): Promise<number>;
}

const VOLUNTEERS = 500;

/** Builds a benchmark tenant through the public API only, as a client would. */
export async function setUpTenant(base: string, adminKey: string, volunteers = VOLUNTEERS): Promise<Tenant> {
  const call = async (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const regionPrefix = `9${String(randomBytes(3).readUIntBE(0, 3) % 100000).padStart(5, '0')}`;
  const community = await call(adminKey, 'POST', '/v1/communities', { name: `bench ${regionPrefix}`, regionCode: `${regionPrefix}000001`, population: 16000 });
  const organization = await call(adminKey, 'POST', '/v1/organizations', { communityId: community.id, name: 'bench team', kind: 'volunteer_team' });
  const key = async (body: object) => (await call(adminKey, 'POST', '/v1/api-keys', { name: 'bench', ...body })).secret as string;
  const communityAdminKey = await key({ role: 'community_admin', communityId: community.id });
  const coordinatorKey = await key({ role: 'coordinator', organizationId: organization.id });
  const reporterKey = await key({ role: 'reporter', regionCode: regionPrefix });
  const categories = await call(adminKey, 'GET', `/v1/service-categories?communityId=${community.id}&limit=100`);
  const volunteerIds: string[] = [];
  const phoneBase = randomBytes(3).readUIntBE(0, 3) % 1_000_000;
  for (let i = 0; i < volunteers; i += 1) {
    const v = await call(communityAdminKey, 'POST', '/v1/volunteers', { communityId: community.id, name: `志愿者 ${i}`, phone: `137${String(phoneBase * 100 + i).padStart(8, '0').slice(-8)}` });
    await call(communityAdminKey, 'POST', `/v1/organizations/${organization.id}/members`, { volunteerId: v.id });
    volunteerIds.push(v.id);
  }
  const today = Date.now();
  const day = (offset: number) => new Date(today - (offset + 2) * 86_400_000).toISOString().slice(0, 10);
  const days = Array.from({ length: 300 }, (_, i) => day(i));
  const now = new Date();
  const yearTo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).toISOString().slice(0, 10);
  const yearFrom = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1)).toISOString().slice(0, 10);

  // Each stream is one importer sending its batches one after another, on days of its own.
  async function importStream(firstDay: number, withKeys: boolean): Promise<number> {
    let entries = 0;
    for (let b = 0; b < 10; b += 1) {
      const servedOn = day(firstDay + b);
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        volunteerId: volunteerIds[i % volunteers], organizationId: organization.id, categoryId: categories.data[i % 14].id, servedOn, minutes: 10,
      }));
      await call(communityAdminKey, 'POST', '/v1/service-entries/batch', { entries: batch }, withKeys ? { 'idempotency-key': `import-${regionPrefix}-${servedOn}` } : {});
      entries += batch.length;
    }
    return entries;
  }

  async function batchEntriesPerSecond(slot: number, streams = 1, withKeys = false): Promise<number> {
    const started = performance.now();
    const counts = await Promise.all(Array.from({ length: streams }, (_, s) => importStream(310 + (slot * 4 + s) * 10, withKeys)));
    return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
  }

  return {
    communityId: community.id, organizationId: organization.id, categoryIds: categories.data.map((c: { id: string }) => c.id),
    volunteerIds, coordinatorKey, reporterKey, communityAdminKey, regionPrefix, days, yearFrom, yearTo, batchEntriesPerSecond,
  };
}
