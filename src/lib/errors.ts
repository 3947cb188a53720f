/**
 * The closed set of problems this API can answer with. Each code maps to one HTTP status and a
 * stable title here, in one place; `type` in a problem body is `/problems/<code>`.
 */
export const problemCatalog = {
  bad_request: { status: 400, title: 'Bad request' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_parameter: { status: 400, title: 'A path, query or header parameter is invalid' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is invalid' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'This API key may not do that' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'No such endpoint' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  not_acceptable: { status: 406, title: 'None of the accepted media types can be produced' },
  validation_failed: { status: 422, title: 'The request body failed validation' },
  rule_violated: { status: 422, title: 'The request breaks a rule of the ledger' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'The service is temporarily unavailable' },
  timeout: { status: 503, title: 'The request took too long' },
} as const;

export type ProblemCode = keyof typeof problemCatalog;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `entries[3].minutes`; empty for the whole body. */
  field: string;
  message: string;
  /** Index of the item in a batch, when the error belongs to one. */
  index?: number;
}

/** A failure the client can act on. Thrown anywhere; written out by the one problem handler. */
export class AppError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail?: string, options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(detail ?? problemCatalog[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = problemCatalog[code].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} was not found`);
export const forbidden = (detail: string): AppError => new AppError('forbidden', detail);
export const conflict = (detail: string): AppError => new AppError('conflict', detail);
export const ruleViolated = (detail: string, errors?: FieldError[]): AppError =>
  new AppError('rule_violated', detail, errors ? { errors } : {});
export const invalidField = (field: string, message: string): AppError =>
  new AppError('validation_failed', `${field}: ${message}`, { errors: [{ field, message }] });

/** Gathers every field problem of one request so the client hears about all of them at once. */
export class FieldErrors {
  private readonly errors: FieldError[] = [];

  add(field: string, message: string): this {
    this.errors.push({ field, message });
    return this;
  }

  throwIfAny(): void {
    if (this.errors.length === 0) return;
    const detail = this.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new AppError('validation_failed', detail, { errors: this.errors });
  }
}
