import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createBenchTenant, daysAgo } from './fixtures.js';

/** Entries per second through POST /v1/service-entries/batch over real HTTP, batches of 1,000, sequential. */
export async function measureBatchThroughput(options: { batches: number; warmup?: number }): Promise<{ entriesPerSecond: number; batchMs: number[] }> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', PORT: '0' });
  const app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const tenant = await createBenchTenant(app, 1000);
    const batchMs: number[] = [];
    const total = options.batches + (options.warmup ?? 2);
    for (let b = 0; b < total; b += 1) {
      const entries = tenant.volunteerIds.map((volunteerId, i) => ({
        volunteerId, organizationId: tenant.organizationId, categoryId: tenant.categoryIds[i % tenant.categoryIds.length],
        servedOn: daysAgo(b), minutes: 30 + (i % 90),
      }));
      const body = JSON.stringify({ entries });
      const started = performance.now();
      const res = await fetch(`${base}/v1/service-entries/batch`, { method: 'POST', headers: { authorization: `Bearer ${tenant.communityAdminKey}`, 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`batch ${b}: ${res.status}`);
      if (b >= (options.warmup ?? 2)) batchMs.push(performance.now() - started);
    }
    const seconds = batchMs.reduce((a, b) => a + b, 0) / 1000;
    return { entriesPerSecond: Math.round((batchMs.length * 1000) / seconds), batchMs };
  } finally {
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureBatchThroughput({ batches: Number(process.argv[2] ?? 20) });
  const sorted = [...result.batchMs].sort((a, b) => a - b);
  process.stdout.write(`batch import: ${result.entriesPerSecond} entries/s; per 1,000-entry batch p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms\n`);
}
