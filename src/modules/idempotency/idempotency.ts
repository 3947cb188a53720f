import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Executor } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { problemBody, toAppError } from '../../plugins/problems.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim still "in progress" after this long belongs to a request that died; a retry may take it over. */
const ABANDONED_AFTER_MS = 60_000;

export interface Outcome {
  status: number;
  body: unknown;
}

/** The request's identity for replay: method, route and the canonical JSON of its body. */
export function fingerprint(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method} ${request.routeOptions.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
}

async function claim(db: Database, apiKeyId: string, key: string, print: string): Promise<'claimed' | Outcome> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const inserted = await db.insert(idempotencyKeys).values({ apiKeyId, key, fingerprint: print }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) return 'claimed';
    const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key))).limit(1);
    if (!row) continue;
    const age = Date.now() - row.createdAt.getTime();
    const expired = age > IDEMPOTENCY_TTL_MS;
    const abandoned = row.state === 'in_progress' && age > ABANDONED_AFTER_MS;
    if (expired || abandoned) {
      await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.createdAt, row.createdAt)));
      continue;
    }
    if (row.fingerprint !== print) throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request; use a new key for a new request');
    if (row.state === 'in_progress') throw new AppError('idempotency_in_progress', 'The first request with this Idempotency-Key is still running; retry shortly', { headers: { 'retry-after': '1' } });
    return { status: row.responseStatus!, body: row.responseBody };
  }
  throw new AppError('idempotency_in_progress', 'Could not claim the Idempotency-Key; retry shortly', { headers: { 'retry-after': '1' } });
}

/** Stores the answer; called inside the write's own transaction so the write and its replay commit together. */
export async function completeClaim(tx: Executor, apiKeyId: string, key: string, outcome: Outcome): Promise<void> {
  await tx.update(idempotencyKeys).set({ state: 'done', responseStatus: outcome.status, responseBody: outcome.body })
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));
}

async function releaseClaim(db: Database, apiKeyId: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'in_progress')));
}

export async function purgeExpiredKeys(db: Database): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, sql`now() - interval '24 hours'`));
}

/**
 * Runs a POST at most once per (API key, Idempotency-Key): a retry replays the first status and
 * body with `Idempotent-Replayed: true`; the same key with another body is a 422; a retry while
 * the first is running is a 409. Client errors are remembered too, server errors are not, so a
 * retry after a 5xx runs again. `run` gets a `commit` hook to call inside its transaction.
 */
export async function idempotent(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  run: (commit: ((tx: Executor, outcome: Outcome) => Promise<void>) | undefined) => Promise<Outcome>,
): Promise<FastifyReply> {
  const key = request.headers['idempotency-key'];
  const apiKeyId = request.actor?.keyId;
  if (typeof key !== 'string' || !apiKeyId) {
    const outcome = await run(undefined);
    return reply.code(outcome.status).send(outcome.body);
  }
  const claimed = await claim(db, apiKeyId, key, fingerprint(request));
  if (claimed !== 'claimed') {
    reply.header('idempotent-replayed', 'true');
    if (claimed.status >= 400) return reply.code(claimed.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(claimed.body));
    return reply.code(claimed.status).send(claimed.body);
  }
  try {
    const outcome = await run((tx, result) => completeClaim(tx, apiKeyId, key, result));
    return reply.code(outcome.status).send(outcome.body);
  } catch (err) {
    const problem = toAppError(err as never);
    if (problem.status >= 500 || problem.code === 'idempotency_in_progress') await releaseClaim(db, apiKeyId, key).catch(() => undefined);
    else {
      await completeClaim(db, apiKeyId, key, { status: problem.status, body: problemBody(request, problem) }).catch(() => undefined);
    }
    throw problem;
  }
}
