import { AppError } from '../lib/errors.js';

const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const RETRY_AFTER_SECONDS = '5';

function codeOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('FST_')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  let current: unknown = err;
  const parts: string[] = [];
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(' | ');
}

/** PostgreSQL unique violation, with the constraint name so callers can say which rule broke. */
export function uniqueViolation(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const e = current as { code?: string; constraint?: string; cause?: unknown };
    if (e.code === '23505') return e.constraint ?? 'unique';
    current = e.cause;
  }
  return undefined;
}

/** The error `write_guard` raises (migration 0009): a one-statement write undid itself. */
export const writeGuardRefused = (err: unknown): boolean => codeOf(err) === 'VH001';

/**
 * An error PostgreSQL raised while executing a statement that may be down to one of its rows: a
 * constraint (class 23), `write_guard` (VH001), a deadlock or serialization failure. The statement
 * certainly rolled back. A lost connection or a timeout proves nothing of the kind: the statement
 * may have committed before its answer was lost.
 */
export function rolledBackByRow(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && (/^23[0-9A-Z]{3}$/.test(code) || code === 'VH001' || code === '40P01' || code === '40001');
}

export function checkViolation(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const e = current as { code?: string; constraint?: string; cause?: unknown };
    if (e.code === '23514' || e.code === '23P01') return e.constraint ?? 'check';
    current = e.cause;
  }
  return undefined;
}

/**
 * Database failures a client should retry (the server is down, restarting or overloaded, or a
 * statement ran past its timeout) become 503 with Retry-After; anything else stays a 500. A pool
 * already ended counts too: a request whose client hung up keeps running while the server shuts
 * down, and its next query must not be logged as an internal error.
 */
export function databaseProblem(err: unknown): AppError | undefined {
  const code = codeOf(err);
  const headers = { 'retry-after': RETRY_AFTER_SECONDS };
  if (code === '57014') return new AppError('timeout', 'The database took too long to answer; retry later', { headers, cause: err });
  if ((code && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code)))
    || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Query read timeout|Cannot use a pool after calling end/i.test(messageOf(err))) {
    return new AppError('service_unavailable', 'The database is unavailable; retry later', { headers, cause: err });
  }
  return undefined;
}
