import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, problemCatalog, type FieldError, type ProblemCode } from '../lib/errors.js';
import { ProblemSchema } from '../lib/problem-schema.js';
import { databaseProblem } from '../db/errors.js';

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** `/entries/3/minutes` → `entries[3].minutes`, the way API users write field paths. */
export function fieldPath(pointer: string, extra?: unknown): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof extra === 'string') parts.push(extra);
  return parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

// Ajv says `must be integer` for one type and `must be integer,null` for a type list.
const TYPE_MESSAGE = /^must be ([\w,]+)$/;

/**
 * One message per field: Ajv reports each failed keyword, each branch of a union, and a type list
 * (`must be integer,null`) its own way; clients want `population: must be integer or null` once.
 */
function describe(messages: string[]): string {
  const types = messages.flatMap((m) => TYPE_MESSAGE.exec(m)?.[1]?.split(',') ?? []);
  const rest = messages.filter((m) => !TYPE_MESSAGE.test(m));
  if (rest.length === 0) return types.length > 0 ? `must be ${types.join(' or ')}` : 'is invalid';
  return types.length > 0 ? `${rest.join('; ')}; or else be ${types.join(' or ')}` : rest.join('; ');
}

function validationErrors(issues: AjvIssue[], context: string | undefined): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    let field = fieldPath(issue.instancePath);
    let message = issue.message ?? 'is invalid';
    if (issue.keyword === 'required') {
      field = fieldPath(issue.instancePath, issue.params.missingProperty);
      message = 'is required';
    } else if (issue.keyword === 'additionalProperties') {
      field = fieldPath(issue.instancePath, issue.params.additionalProperty);
      message = 'is not a known property';
    } else if (issue.keyword === 'enum') {
      message = `must be one of: ${(issue.params.allowedValues as unknown[]).join(', ')}`;
    } else if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf') {
      message = ''; // its branches, reported at the same path, say why
    }
    if (context && context !== 'body') field = field || context;
    const messages = byField.get(field) ?? [];
    if (message && !messages.includes(message)) messages.push(message);
    byField.set(field, messages);
  }
  return [...byField].map(([field, messages]) => {
    const index = /^entries\[(\d+)\]/.exec(field)?.[1];
    const message = describe(messages);
    return index === undefined ? { field, message } : { field, message, index: Number(index) };
  });
}

/** Maps anything thrown into an AppError; only AppErrors and known framework errors reach clients. */
export function toAppError(err: FastifyError): AppError {
  if (err instanceof AppError) return err;
  if (err.validation) {
    const errors = validationErrors(err.validation as AjvIssue[], err.validationContext);
    const inBody = err.validationContext === 'body';
    const detail = errors.map((e) => `${e.field || err.validationContext}: ${e.message}`).join('; ');
    return new AppError(inBody ? 'validation_failed' : 'invalid_parameter', detail, { errors });
  }
  const fromDb = databaseProblem(err);
  if (fromDb) return fromDb;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send request bodies as application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('malformed_json', err.message);
    default:
  }
  if (err instanceof SyntaxError && err.statusCode === 400) return new AppError('malformed_json', err.message);
  if (err.statusCode === 429) return new AppError('rate_limited', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new AppError('bad_request', err.message);
  return new AppError('internal_error', 'An unexpected error occurred; quote the requestId when reporting it', { cause: err });
}

/** The RFC 9457 body for a problem; also what an idempotent retry replays. */
export function problemBody(request: FastifyRequest, problem: AppError): Record<string, unknown> {
  return {
    type: `/problems/${problem.code}`,
    title: problemCatalog[problem.code].title,
    status: problem.status,
    detail: problem.message,
    instance: request.url.split('?')[0] ?? request.url,
    code: problem.code,
    requestId: String(request.id),
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * What a failure writes to the log. A database error's message, stack and parameters carry the
 * values of the failed query (phone numbers, names, id numbers), so of those only the SQL text
 * with its placeholders and PostgreSQL's codes are kept; any other error is logged as it is.
 */
function loggableError(err: unknown): unknown {
  let query: string | undefined;
  let code: string | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const e = current as Record<string, unknown>;
    if (typeof e.query === 'string' && 'params' in e) query = e.query;
    if (typeof e.code === 'string' && !e.code.startsWith('FST_')) code = e.code;
    if (typeof e.code === 'string' && SQLSTATE.test(e.code) && typeof e.severity === 'string') {
      const { severity, routine, table, column, constraint, dataType } = e;
      return { type: 'DatabaseError', query, sqlState: e.code, severity, routine, table, column, constraint, dataType };
    }
    current = e.cause;
  }
  return query === undefined ? err : { type: 'DatabaseError', query, code };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: AppError): FastifyReply {
  const body = problemBody(request, problem);
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  // Already a string, so no route's response schema re-serialises it.
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

/**
 * For Fastify's `frameworkErrors` option: the router answers a path with broken percent-encoding
 * (FST_ERR_BAD_URL) or a segment past maxParamLength (FST_ERR_MAX_PARAM_LENGTH) before any hook
 * or error handler runs, with a bare application/json body. Passed to Fastify, this answers them
 * as problems like every other 4xx (found by fuzzing).
 */
export function frameworkProblem(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new AppError('invalid_parameter', 'A path segment is longer than any id of this API', { errors: [{ field: 'path', message: 'has a segment that is too long' }] })
    : err.code === 'FST_ERR_BAD_URL'
      ? new AppError('bad_request', 'The path is not valid percent-encoded UTF-8')
      : toAppError(err);
  request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
  reply.header('x-request-id', request.id);
  return sendProblem(request, reply, problem);
}

async function problemsPlugin(app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemSchema);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = toAppError(err);
    if (problem.status >= 500) request.log.error({ err: loggableError(problem.cause ?? err), code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request rejected');
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('route_not_found', `${request.method} ${request.url.split('?')[0]} is not an endpoint of this API`)));

  // A machine-readable page for every problem type, so `type` URIs resolve to something useful.
  app.get('/problems/:code', {
    config: { permission: 'public' },
    schema: { hide: true },
  }, async (request, reply) => {
    const code = (request.params as { code: string }).code as ProblemCode;
    // An own property only: `toString` or `constructor` are not problem types.
    if (!Object.hasOwn(problemCatalog, code)) throw new AppError('not_found', 'No such problem type');
    const entry = problemCatalog[code];
    return reply.send({ code, ...entry });
  });
}

export default fp(problemsPlugin, { name: 'problems' });
export type { ProblemCode };
