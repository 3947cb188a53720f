import { Type, type TSchema } from 'typebox';

/** RFC 9457 problem details, as every non-2xx answer of this API is shaped. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ maxLength: 200, description: 'URI of the problem type, `/problems/<code>`', examples: ['/problems/validation_failed'] }),
    title: Type.String({ maxLength: 200 }),
    status: Type.Integer({ minimum: 400, maximum: 599, format: 'int32' }),
    detail: Type.String({ maxLength: 2000 }),
    instance: Type.String({ maxLength: 2000, description: 'The request path' }),
    code: Type.String({ maxLength: 64, description: 'Stable machine-readable code' }),
    requestId: Type.String({ maxLength: 128 }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ maxLength: 300 }),
          message: Type.String({ maxLength: 500 }),
          index: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, format: 'int32' })),
        }),
        { maxItems: 1000 },
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
);

export const ProblemRef: TSchema = Type.Unsafe({ $ref: 'Problem#' });

const descriptions: Record<number, string> = {
  400: 'Malformed request or invalid parameters',
  401: 'Missing or invalid API key',
  403: 'The key\'s role may not do this',
  404: 'Not found, or outside the key\'s scope',
  406: 'Not acceptable',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Validation failed or a rule was broken',
  429: 'Rate limit exceeded',
  500: 'Internal error',
  503: 'Temporarily unavailable; retry after the Retry-After header',
};

export function problemResponse(status: number): { description: string; content: Record<string, { schema: TSchema }> } {
  return {
    description: descriptions[status] ?? 'Problem',
    content: { 'application/problem+json': { schema: ProblemRef } },
  };
}
