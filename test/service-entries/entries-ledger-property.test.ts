import fc from 'fast-check';
import { createLedgerTenant, registerMember } from '../helpers/factories.js';
import { call, createTestApp, type Response, type TestApp } from '../helpers/test-app.js';
import { act, countedByDay, dayMinutesRows, ENTRIES, entryBody, listAll, record } from './support.js';

let t: TestApp;
let tenant: Awaited<ReturnType<typeof createLedgerTenant>>;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await createLedgerTenant(t.app, t.adminKey);
});
afterAll(async () => { await t.close(); });

const DAYS = ['2026-01-05', '2026-01-06', '2026-01-07'];
const CAP = 1440;

type Command =
  | { kind: 'record'; volunteer: number; day: number; minutes: number }
  | { kind: 'approve' | 'reject' | 'void'; entry: number }
  | { kind: 'patch'; entry: number; minutes: number; day: number };

const minutes = fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: CAP }));
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('record' as const), volunteer: fc.nat(1), day: fc.nat(DAYS.length - 1), minutes }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const, 'void' as const), entry: fc.nat(30) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('patch' as const), entry: fc.nat(30), minutes, day: fc.nat(DAYS.length - 1) }), weight: 1 },
);

interface ModelEntry { id: string; volunteerId: string; servedOn: string; minutes: number; status: string }

/** Pending plus approved minutes of one volunteer-day in the model. */
const counted = (model: ModelEntry[], volunteerId: string, servedOn: string): number =>
  model.filter((e) => e.volunteerId === volunteerId && e.servedOn === servedOn && (e.status === 'pending' || e.status === 'approved')).reduce((sum, e) => sum + e.minutes, 0);

/** Runs one command against the API and the model; the API must answer what the model predicts. */
async function step(key: string, l: Awaited<ReturnType<typeof createLedgerTenant>>, volunteers: string[], model: ModelEntry[], cmd: Command): Promise<void> {
  const expectStatus = (res: Response, expected: number, what: string) => {
    if (res.statusCode !== expected) throw new Error(`${what}: expected ${expected}, got ${res.statusCode} ${res.body}`);
  };
  if (cmd.kind === 'record') {
    const volunteerId = volunteers[cmd.volunteer]!;
    const servedOn = DAYS[cmd.day]!;
    const fits = counted(model, volunteerId, servedOn) + cmd.minutes <= CAP;
    const res = await record(t.app, key, entryBody(l, { volunteerId, servedOn, minutes: cmd.minutes }));
    expectStatus(res, fits ? 201 : 422, `record ${cmd.minutes} on ${servedOn}`);
    if (fits) model.push({ id: res.json().id, volunteerId, servedOn, minutes: cmd.minutes, status: 'pending' });
    return;
  }
  if (model.length === 0) return;
  const entry = model[cmd.entry % model.length]!;
  if (cmd.kind === 'patch') {
    const servedOn = DAYS[cmd.day]!;
    const res = await call(t.app, key, 'PATCH', `${ENTRIES}/${entry.id}`, { minutes: cmd.minutes, servedOn });
    if (entry.status !== 'pending') return expectStatus(res, 409, `patch ${entry.status}`);
    const total = counted(model, entry.volunteerId, servedOn) - (servedOn === entry.servedOn ? entry.minutes : 0) + cmd.minutes;
    expectStatus(res, total <= CAP ? 200 : 422, `patch to ${cmd.minutes} on ${servedOn}`);
    if (total <= CAP) Object.assign(entry, { minutes: cmd.minutes, servedOn });
    return;
  }
  const from = cmd.kind === 'void' ? 'approved' : 'pending';
  const res = await act(t.app, key, entry.id, cmd.kind, 'property test');
  expectStatus(res, entry.status === from ? 200 : 409, `${cmd.kind} ${entry.status}`);
  if (entry.status === from) entry.status = { approve: 'approved', reject: 'rejected', void: 'voided' }[cmd.kind];
}

describe('The ledger › property: random record / approve / reject / void / patch sequences', () => {
  test('keep every volunteer-day at or under 1440 counted minutes, equal to volunteer_day_minutes, and the API agrees with the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        // One community for every run (tenants are costly); each run's fresh volunteers keep runs apart.
        const l = tenant;
        const volunteers = [
          (await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id)).id as string,
          (await registerMember(t.app, l.communityAdminKey, l.community.id, l.organization.id)).id as string,
        ];
        const ours = (key: string) => volunteers.includes(key.split('|')[0]!);
        const model: ModelEntry[] = [];
        for (const cmd of commands) await step(l.coordinatorKey, l, volunteers, model, cmd);

        const listed = (await Promise.all(volunteers.map((v) => listAll(t.app, l.communityAdminKey, `volunteerId=${v}`)))).flat();
        const sums = countedByDay(listed);
        const rows = await dayMinutesRows(t.app, l.community.id);
        for (const key of new Set([...sums.keys(), ...[...rows.keys()].filter(ours)])) {
          const [volunteerId, servedOn] = key.split('|') as [string, string];
          expect(sums.get(key) ?? 0).toBeLessThanOrEqual(CAP);
          expect({ key, stored: rows.get(key) ?? 0 }).toEqual({ key, stored: sums.get(key) ?? 0 });
          expect(sums.get(key) ?? 0).toBe(counted(model, volunteerId, servedOn));
        }
        const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : 1);
        expect([...listed as ModelEntry[]].sort(byId).map((e) => [e.id, e.status, e.servedOn, e.minutes])).toEqual([...model].sort(byId).map((e) => [e.id, e.status, e.servedOn, e.minutes]));
      }),
      { numRuns: 15 },
    );
  });
});
