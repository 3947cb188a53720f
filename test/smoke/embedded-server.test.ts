import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN_KEY = 'vh_smoke_test_admin_key_0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForReady(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not become ready in 90 s');
}

/** The V8 flags the service ships with (package.json config.nodeOptions): `npm start` and the Dockerfile pass them. */
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { config: { nodeOptions: string }; scripts: { start: string } };
const shippedNodeOptions = packageJson.config.nodeOptions;

test('npm start and the Dockerfile run the service with the shipped V8 flags', () => {
  expect(shippedNodeOptions).toMatch(/--max-old-space-size=\d+/);
  expect(packageJson.scripts.start).toBe(`node ${shippedNodeOptions} --import tsx src/server.ts`);
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`CMD ${JSON.stringify(['node', ...shippedNodeOptions.split(' '), 'dist/server.js']).replace(/","/g, '", "')}`);
});

describe('npm start without DATABASE_URL (embedded PostgreSQL)', () => {
  let child: ChildProcess;
  let dataDir: string;
  let output = '';

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('serves the API, creates a community over HTTP and exits 0 on SIGTERM', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vh-embedded-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    // As `npm start` runs it: with the shipped heap budget, which embedded PostgreSQL must fit in too.
    child = spawn(process.execPath, [...shippedNodeOptions.split(' '), '--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => { output += String(d); });
    child.stderr?.on('data', (d) => { output += String(d); });
    const base = `http://127.0.0.1:${port}`;
    await waitForReady(base, child);

    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/v1/communities`, { method: 'POST', headers, body: JSON.stringify({ name: '渭水苑社区', regionCode: '610302001001' }) });
    expect(created.status).toBe(201);
    const community = (await created.json()) as { id: string };
    const categories = await fetch(`${base}/v1/service-categories?communityId=${community.id}&limit=100`, { headers });
    expect(((await categories.json()) as { data: unknown[] }).data).toHaveLength(14);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain(ADMIN_KEY);
  }, 120_000);
});
