import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const ROOT = new URL('../', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Started {
  child: ChildProcess;
  base: string;
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point as its own process, pinned to `cpu` when taskset exists, and waits for `readyPath`. */
export async function startProcess(entry: string, env: NodeJS.ProcessEnv, readyPath: string, cpu?: number): Promise<Started> {
  const port = await freePort();
  // Compiled JavaScript runs as is (as in production); TypeScript goes through tsx.
  const args = entry.endsWith('.js') ? [entry] : ['--import', 'tsx', entry];
  const command = cpu !== undefined ? 'taskset' : process.execPath;
  const argv = cpu !== undefined ? ['-c', String(cpu), process.execPath, ...args] : args;
  const started = performance.now();
  const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}${readyPath}`, { method: readyPath === '/entries' ? 'OPTIONS' : 'GET' });
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 120_000) throw new Error(`${entry} not ready in 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const readyMs = performance.now() - started;
  return {
    child, base, readyMs,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Pins this process (every thread: autocannon's work happens on the main one, libuv's pool too) to
 * `cpu`, so the load generator does not take the service's core. Returns whether it could.
 */
export function pinSelf(cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One memory figure of a process from /proc (`VmRSS` now, `VmHWM` its peak so far), in MB. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Peak resident set of a process so far, in MB. */
export const peakRssMb = (pid: number): number => statusMb(pid, 'VmHWM');

/** Resident set of a process now, in MB. */
export const rssMb = (pid: number): number => statusMb(pid, 'VmRSS');
