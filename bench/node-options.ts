import { readFileSync } from 'node:fs';

/**
 * The V8 flags the service ships with (package.json `config.nodeOptions`; `npm start` and the
 * Dockerfile pass the same, a test holds them equal), unless BENCH_NODE_OPTIONS replaces them.
 */
export function serviceNodeOptions(): string {
  if (process.env.BENCH_NODE_OPTIONS !== undefined) return process.env.BENCH_NODE_OPTIONS;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { config: { nodeOptions: string } };
  return pkg.config.nodeOptions;
}
