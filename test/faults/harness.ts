/**
 * Fault-test harness: a throwaway PostgreSQL cluster per test, the real server process
 * (`node --import tsx src/server.ts`) against it, a small HTTP client that tells server answers
 * from client-side failures, bounded write loads, and a direct look into the database.
 *
 * Everything listens on 127.0.0.1 only; every loop is bounded in count and time.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sleep, waitFor } from '../helpers/wait.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN_KEY = 'vh_fault_test_admin_key_0123456789abcdef';
/** Shared with the jest tests; the fault tests import them from here with the rest of the rig. */
export { sleep, waitFor } from '../helpers/wait.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `promise`'s value, or `fallback` if it takes longer than `ms` (the timer does not outlive it). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL cluster
// ---------------------------------------------------------------------------------------------

function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('fault tests need PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/<version>/bin, or PG_BIN');
  return join(base, versions[0], 'bin');
}

/** initdb refuses to run as root: as root, the cluster belongs to (and runs as) the postgres user. */
const asRoot = process.getuid?.() === 0;

function runPg(tool: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const bin = join(postgresBin(), tool);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: timeoutMs, cwd: tmpdir() }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${tool} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(String(stdout));
    });
  });
}

export interface Cluster {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Stops it (immediately) if it runs and removes its folder. */
  destroy(): Promise<void>;
  running: boolean;
  log(): string;
}

export async function createCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'vh-fault-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  await runPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
  const port = await freePort();
  const cluster: Cluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    running: false,
    async start() {
      await runPg('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60`, '-l', logFile, '-w', '-t', '30', 'start']);
      cluster.running = true;
    },
    async stop(mode) {
      await runPg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      cluster.running = false;
    },
    async destroy() {
      if (cluster.running) await cluster.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
  await cluster.start();
  return cluster;
}

// ---------------------------------------------------------------------------------------------
// The real server process
// ---------------------------------------------------------------------------------------------

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  output(): string;
  /** Resolves when the process exits (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** SIGKILLs it if it still runs (cleanup only). */
  kill(): Promise<void>;
}

export async function startServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LANG: process.env.LANG,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'warn',
    DB_CONNECT_TIMEOUT_MS: '1000',
    ...extraEnv,
  };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output += String(d); });
  child.stderr?.on('data', (d) => { output += String(d); });
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
  });
  const server: ServerProcess = {
    child,
    pid: child.pid!,
    port,
    output: () => output,
    exited,
    hasExited: () => exitedFlag,
    async kill() {
      if (!exitedFlag) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  const probe = new Client(port, { keepAlive: false });
  try {
    // Starting includes migrating the fresh database; on a busy machine that takes a while.
    const state = await waitFor('GET /health/ready = 200', async () => {
      if (exitedFlag) return 'exited';
      const res = await probe.request('GET', '/health/ready', { timeoutMs: 2_000 });
      return res.kind === 'response' && res.status === 200 ? 'ready' : undefined;
    }, 90_000, 200);
    if (state === 'exited') throw new Error('the server exited while starting');
  } catch (err) {
    await server.kill();
    throw new Error(`${(err as Error).message}\nserver output:\n${output}`);
  } finally {
    probe.close();
  }
  return server;
}

// ---------------------------------------------------------------------------------------------
// HTTP client: a server answer, or a client-side failure (refused, reset, timed out)
// ---------------------------------------------------------------------------------------------

export type Outcome =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; text: string; json(): any }
  | { kind: 'error'; code: string; message: string };

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  key?: string | null;
  timeoutMs?: number;
}

export class Client {
  private readonly agent: http.Agent | false;

  constructor(readonly port: number, options: { keepAlive?: boolean } = {}) {
    this.agent = options.keepAlive === false ? false : new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Outcome> {
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
      ...options.headers,
    };
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'error', code: err.code ?? 'ERESPONSE', message: err.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          settle({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      });
      req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT_CLIENT' })));
      req.on('error', (err: NodeJS.ErrnoException) => settle({ kind: 'error', code: err.code ?? 'EUNKNOWN', message: err.message }));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A request that must succeed with `expected`; returns the parsed body. */
  async ok(method: string, path: string, expected: number, body?: unknown): Promise<any> {
    const res = await this.request(method, path, { body });
    if (res.kind !== 'response' || res.status !== expected) {
      throw new Error(`${method} ${path}: expected ${expected}, got ${res.kind === 'response' ? `${res.status} ${res.text}` : `${res.code} ${res.message}`}`);
    }
    return res.json();
  }

  close(): void {
    if (this.agent) this.agent.destroy();
  }
}

/**
 * The throwaway cluster, the service on it, a client and any lock-holding connections of one
 * fault test, torn down after it whatever happened (call in a describe block).
 */
export function useFaultRig() {
  let cluster: Cluster | undefined;
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  const lockers: pg.Client[] = [];
  afterAll(async () => {
    client?.close();
    for (const locker of lockers) await locker.end().catch(() => undefined);
    await server?.kill();
    await cluster?.destroy();
  });
  return {
    async start(env: Record<string, string>): Promise<{ cluster: Cluster; server: ServerProcess; client: Client }> {
      cluster = await createCluster();
      server = await startServer(cluster.url, env);
      client = new Client(server.port);
      return { cluster, server, client };
    },
    /** A connection holding `lockSql` in an open transaction; end it with commit or rollback. */
    async holdLock(lockSql: string): Promise<pg.Client> {
      const locker = new pg.Client({ connectionString: cluster!.url });
      lockers.push(locker);
      await locker.connect();
      await locker.query('begin');
      await locker.query(lockSql);
      return locker;
    },
  };
}

export function isProblem(res: Outcome, status: number): boolean {
  if (res.kind !== 'response' || res.status !== status) return false;
  if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) return false;
  try {
    const body = res.json();
    return body.status === status && typeof body.code === 'string' && typeof body.type === 'string';
  } catch {
    return false;
  }
}

export function describeOutcome(res: Outcome): string {
  return res.kind === 'response' ? `${res.status} ${res.text.slice(0, 300)}` : `client error ${res.code}: ${res.message}`;
}

// ---------------------------------------------------------------------------------------------
// Setup through the API, and service-entry writes
// ---------------------------------------------------------------------------------------------

export interface Fixture {
  communityId: string;
  organizationId: string;
  volunteerId: string;
  categoryIds: string[];
}

export async function seed(client: Client, label: string): Promise<Fixture> {
  const community = await client.ok('POST', '/v1/communities', 201, { name: `故障测试社区 ${label}`, regionCode: '610302001001', population: 16000 });
  const organization = await client.ok('POST', '/v1/organizations', 201, { communityId: community.id, name: `志愿服务队 ${label}`, kind: 'volunteer_team' });
  const volunteer = await client.ok('POST', '/v1/volunteers', 201, { communityId: community.id, name: '张三', phone: '13812340001' });
  await client.ok('POST', `/v1/organizations/${organization.id}/members`, 201, { volunteerId: volunteer.id });
  const categories = await client.ok('GET', `/v1/service-categories?communityId=${community.id}&limit=100`, 200);
  const categoryIds = (categories.data as { id: string }[]).map((c) => c.id);
  if (categoryIds.length === 0) throw new Error('the community has no service categories');
  return { communityId: community.id, organizationId: organization.id, volunteerId: volunteer.id, categoryIds };
}

const DAY_MS = 86_400_000;

export interface WriteSpec {
  tag: string;
  idempotencyKey: string;
  body: Record<string, unknown>;
}

/** Write number `n` of a run: a unique tag and key, one minute on one of 900 past days, so no day nears the 1440-minute cap. */
export function writeSpec(fixture: Fixture, run: string, n: number): WriteSpec {
  const tag = `fault:${run}:${n}`;
  const servedOn = new Date(Date.now() - (3 + (n % 900)) * DAY_MS).toISOString().slice(0, 10);
  return {
    tag,
    idempotencyKey: `${run}-${n}`,
    body: {
      volunteerId: fixture.volunteerId,
      organizationId: fixture.organizationId,
      categoryId: fixture.categoryIds[n % fixture.categoryIds.length],
      servedOn,
      minutes: 1,
      description: tag,
    },
  };
}

export function postEntry(client: Client, spec: WriteSpec, timeoutMs = 15_000): Promise<Outcome> {
  return client.request('POST', '/v1/service-entries', { body: spec.body, headers: { 'idempotency-key': spec.idempotencyKey }, timeoutMs });
}

export interface WriteRecord {
  spec: WriteSpec;
  startedAt: number;
  endedAt: number;
  outcome: Outcome;
}

export const acknowledged = (r: WriteRecord): boolean => r.outcome.kind === 'response' && r.outcome.status >= 200 && r.outcome.status < 300;

/**
 * `writers` concurrent loops, each posting one entry at a time until `shouldStop()` says so,
 * the deadline passes, or `maxPerWriter` writes. Every attempt is recorded.
 */
export function writeLoad(client: Client, fixture: Fixture, run: string, options: {
  writers: number;
  deadlineMs: number;
  maxPerWriter: number;
  shouldStop?: (writer: number, last: WriteRecord) => boolean;
  pauseMs?: number;
}): { records: WriteRecord[]; done: Promise<void>; stop(): void } {
  const records: WriteRecord[] = [];
  const deadline = Date.now() + options.deadlineMs;
  let stopped = false;
  let next = 0;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; i < options.maxPerWriter && !stopped && Date.now() < deadline; i += 1) {
      const spec = writeSpec(fixture, run, next);
      next += 1;
      const startedAt = Date.now();
      const outcome = await postEntry(client, spec);
      const record = { spec, startedAt, endedAt: Date.now(), outcome };
      records.push(record);
      if (options.shouldStop?.(w, record)) return;
      // After a client-side failure, pause a little so a dead server is not hammered in a tight loop.
      if (outcome.kind === 'error') await sleep(50);
      else if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  const done = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w))).then(() => undefined);
  return { records, done, stop: () => { stopped = true; } };
}

/** Stored service entries per tag of a run, read directly from the database. */
export async function storedByTag(databaseUrl: string, run: string): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ description: string; id: string }>(
      'select description, id::text as id from service_entries where description like $1 order by description',
      [`fault:${run}:%`],
    );
    const byTag = new Map<string, string[]>();
    for (const row of rows) byTag.set(row.description, [...(byTag.get(row.description) ?? []), row.id]);
    return byTag;
  } finally {
    await client.end();
  }
}

export interface LedgerCheck {
  attempted: number;
  acknowledged: number;
  stored: number;
  storedUnacknowledged: number;
  /** Acknowledged writes not stored exactly once, or stored under another id than the one answered. */
  lost: string[];
  duplicated: string[];
}

/** Every acknowledged write is stored exactly once, with the id it was answered with; nothing is stored twice. */
export function checkLedger(records: WriteRecord[], stored: Map<string, string[]>): LedgerCheck {
  const ackedIds = new Map<string, Set<string>>();
  const tags = new Set<string>();
  for (const r of records) {
    tags.add(r.spec.tag);
    if (acknowledged(r) && r.outcome.kind === 'response') {
      const ids = ackedIds.get(r.spec.tag) ?? new Set<string>();
      ids.add(String(r.outcome.json().id));
      ackedIds.set(r.spec.tag, ids);
    }
  }
  const lost: string[] = [];
  for (const [tag, ids] of ackedIds) {
    const rows = stored.get(tag) ?? [];
    if (rows.length !== 1 || ids.size !== 1 || !ids.has(rows[0]!)) lost.push(`${tag}: answered ${[...ids].join(',')}, stored ${rows.join(',') || 'nothing'}`);
  }
  const duplicated = [...stored].filter(([, ids]) => ids.length > 1).map(([tag, ids]) => `${tag}: ${ids.join(',')}`);
  let storedCount = 0;
  for (const ids of stored.values()) storedCount += ids.length;
  return {
    attempted: tags.size,
    acknowledged: ackedIds.size,
    stored: storedCount,
    storedUnacknowledged: [...stored.keys()].filter((tag) => !ackedIds.has(tag)).length,
    lost,
    duplicated,
  };
}

/** How the attempts ended: `201`, `503`, `client:ECONNREFUSED`, … with counts. */
export function tally(records: WriteRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    const label = r.outcome.kind === 'response' ? String(r.outcome.status) : `client:${r.outcome.code}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Health monitor
// ---------------------------------------------------------------------------------------------

export interface HealthSample {
  at: number;
  ready: Outcome;
  live: Outcome;
}

/** Polls /health/ready and /health/live every `everyMs` (each on a fresh connection) until stopped; bounded by `maxMs`. */
export function monitorHealth(port: number, everyMs = 200, maxMs = 120_000): { samples: HealthSample[]; stop(): Promise<void> } {
  const client = new Client(port, { keepAlive: false });
  const samples: HealthSample[] = [];
  const deadline = Date.now() + maxMs;
  let stopped = false;
  const loop = (async () => {
    while (!stopped && Date.now() < deadline) {
      const at = Date.now();
      const [ready, live] = await Promise.all([
        client.request('GET', '/health/ready', { key: null, timeoutMs: 5_000 }),
        client.request('GET', '/health/live', { key: null, timeoutMs: 5_000 }),
      ]);
      samples.push({ at, ready, live });
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
      client.close();
    },
  };
}

/** An answer clients can act on while the database is away: 503 problem+json with Retry-After. */
export function isRetryable503(res: Outcome): boolean {
  return isProblem(res, 503) && res.kind === 'response' && /^\d+$/.test(String(res.headers['retry-after'] ?? ''));
}

/** The service's backends on `url` and their postmaster (the parent of a backend). */
async function serverProcesses(url: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'volunteer-hours'");
    const backends = rows.map((r) => r.pid);
    if (backends.length === 0) throw new Error('the service holds no connection to stop');
    const postmaster = Number(readFileSync(`/proc/${backends[0]}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    return [postmaster, ...backends];
  } finally {
    await admin.end();
  }
}

/**
 * Runs `during` while the PostgreSQL processes serving the service are SIGSTOPped (a frozen
 * server, or a route that drops packets: nothing is closed, nothing answers), then SIGCONTs them.
 */
export async function whileSilent<T>(url: string, during: () => Promise<T>): Promise<T> {
  const stopped = await serverProcesses(url);
  for (const pid of stopped) process.kill(pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
  }
}
