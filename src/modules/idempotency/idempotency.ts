import { createHash, randomUUID } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Executor } from '../../db/client.js';
import { queryRows } from '../../db/raw.js';
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

/** JSON with object keys sorted at every depth, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The identity of a request for replay: method, route and the canonical JSON of its body. */
export function fingerprintOf(method: string, route: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${route}\n${canonicalJson(body ?? null)}`).digest('hex');
}

export function fingerprint(request: FastifyRequest): string {
  return fingerprintOf(request.method, request.routeOptions.url ?? request.url, request.body);
}

/**
 * Which claim a request holds. The server picks it before the claim statement runs, so a claim
 * that committed while its acknowledgement was lost (the database went away mid-reply) can still
 * be released by this request instead of blocking retries for the whole abandonment window.
 */
type ClaimToken = string;

/**
 * Claims the key in one statement: a new key is inserted; a key whose answer expired (24 h) or
 * whose claim was abandoned is taken over in place. Anything else is answered from the row.
 * Returns true when `token` now holds the key.
 */
async function claim(db: Database, apiKeyId: string, communityId: string | null, key: string, print: string, token: ClaimToken): Promise<true | Outcome> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const [claimed] = await queryRows<{ key: string }>(db, sql`
      insert into idempotency_keys (api_key_id, key, community_id, fingerprint, state, claim_token, created_at)
      values (${apiKeyId}::uuid, ${key}, ${communityId}::uuid, ${print}, 'in_progress', ${token}::uuid, now())
      on conflict (api_key_id, key) do update
        set fingerprint = excluded.fingerprint, state = 'in_progress', response_status = null, response_body = null,
            claim_token = excluded.claim_token, created_at = excluded.created_at
        where idempotency_keys.created_at < now() - make_interval(secs => ${IDEMPOTENCY_TTL_MS / 1000})
           or (idempotency_keys.state = 'in_progress' and idempotency_keys.created_at < now() - make_interval(secs => ${ABANDONED_AFTER_MS / 1000}))
      returning key`, 'idempotency_claim');
    if (claimed) return true;
    const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key))).limit(1);
    if (!row) continue; // purged between the two statements: claim again
    if (row.fingerprint !== print) throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request; use a new key for a new request');
    if (row.state === 'in_progress') throw new AppError('idempotency_in_progress', 'The first request with this Idempotency-Key is still running; retry shortly', { headers: { 'retry-after': '1' } });
    return { status: row.responseStatus!, body: row.responseBody };
  }
  throw new AppError('idempotency_in_progress', 'Could not claim the Idempotency-Key; retry shortly', { headers: { 'retry-after': '1' } });
}

const heldClaim = (apiKeyId: string, key: string, token: ClaimToken) => sql`api_key_id = ${apiKeyId}::uuid and key = ${key}
  and state = 'in_progress' and claim_token = ${token}::uuid`;

/**
 * Stores the answer; called inside the write's own transaction so the write and its replay commit
 * together. When the claim is no longer this request's (it was taken over as abandoned), the write
 * is refused, so one key can never record twice.
 */
export async function completeClaim(tx: Executor, apiKeyId: string, key: string, token: ClaimToken, outcome: Outcome): Promise<void> {
  const updated = await queryRows<{ key: string }>(tx, sql`
    update idempotency_keys set state = 'done', response_status = ${outcome.status}, response_body = ${JSON.stringify(outcome.body)}::jsonb
    where ${heldClaim(apiKeyId, key, token)} returning key`, 'idempotency_complete');
  if (updated.length === 0) throw new AppError('idempotency_in_progress', 'This request\'s hold on its Idempotency-Key lapsed before it finished; nothing was recorded, retry', { headers: { 'retry-after': '1' } });
}

async function releaseClaim(db: Database, apiKeyId: string, key: string, token: ClaimToken): Promise<void> {
  await db.execute(sql`delete from idempotency_keys where ${heldClaim(apiKeyId, key, token)}`);
}

const RELEASE_RETRY_MS = 1_000;
const RELEASE_ATTEMPTS = 60;

/**
 * Frees a claim whose request failed with a server error, so a retry can run. When the database
 * itself is what failed, the delete fails too; it is retried every second (for at most the
 * abandonment window) instead of leaving the client facing 409s for a minute after an outage.
 */
function releaseSoon(db: Database, apiKeyId: string, key: string, token: ClaimToken, attempt = 0): void {
  releaseClaim(db, apiKeyId, key, token).catch(() => {
    if (attempt + 1 >= RELEASE_ATTEMPTS) return;
    setTimeout(() => releaseSoon(db, apiKeyId, key, token, attempt + 1), RELEASE_RETRY_MS).unref();
  });
}

export async function purgeExpiredKeys(db: Database): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${IDEMPOTENCY_TTL_MS / 1000})`));
}

export interface IdempotentOptions {
  /** Headers of a successful answer, sent with it and with every replay of it (e.g. Location). */
  headersFor?: (outcome: Outcome) => Record<string, string>;
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
  options: IdempotentOptions = {},
): Promise<FastifyReply> {
  const send = (outcome: Outcome): FastifyReply => {
    if (outcome.status < 300 && options.headersFor) reply.headers(options.headersFor(outcome));
    return reply.code(outcome.status).send(outcome.body);
  };
  const key = request.headers['idempotency-key'];
  const apiKeyId = request.actor?.keyId;
  if (typeof key !== 'string' || !apiKeyId) return send(await run(undefined));

  const token = randomUUID();
  let claimed: true | Outcome;
  try {
    claimed = await claim(db, apiKeyId, request.actor?.communityId ?? null, key, fingerprint(request), token);
  } catch (err) {
    // The claim may have committed even though its answer never arrived: release it if so.
    if (toAppError(err as never).status >= 500) releaseSoon(db, apiKeyId, key, token);
    throw err;
  }
  if (claimed !== true) {
    reply.header('idempotent-replayed', 'true');
    if (claimed.status >= 400) return reply.code(claimed.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(claimed.body));
    return send(claimed);
  }
  try {
    return send(await run((tx, result) => completeClaim(tx, apiKeyId, key, token, result)));
  } catch (err) {
    const problem = toAppError(err as never);
    if (problem.status >= 500 || problem.code === 'idempotency_in_progress') releaseSoon(db, apiKeyId, key, token);
    else await completeClaim(db, apiKeyId, key, token, { status: problem.status, body: problemBody(request, problem) }).catch(() => undefined);
    throw problem;
  }
}
