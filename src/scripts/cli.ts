import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

export function cliLogger(): FastifyBaseLogger {
  return pino({ level: 'warn' }) as unknown as FastifyBaseLogger;
}

/** `--role admin --name ops` → { role: 'admin', name: 'ops' }. */
export function parseFlags(argv: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    flags[name] = inline ?? argv[i + 1] ?? '';
    if (inline === undefined) i += 1;
  }
  return flags;
}
