import { Type } from 'typebox';

/** Small shared schema pieces, bounded so the OpenAPI contract states every limit. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36, examples: ['0192f0c4-5a6e-7d3b-9c1a-2b3c4d5e6f70'] });
export const Instant = Type.String({ format: 'date-time', maxLength: 40, examples: ['2026-03-14T09:30:00.000Z'] });
export const DateOnly = Type.String({ format: 'date', maxLength: 10, examples: ['2026-03-14'] });
export const RegionCode = Type.String({ pattern: '^[0-9]{12}$', minLength: 12, maxLength: 12, description: '12-digit statistical division code', examples: ['610302001001'] });
export const RegionPrefix = Type.String({ pattern: '^[0-9]{1,12}$', minLength: 1, maxLength: 12, description: 'Prefix of communities\' division codes', examples: ['6103'] });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
