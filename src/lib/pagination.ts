import { Type, type Static, type TSchema } from 'typebox';
import { AppError } from './errors.js';
import { isUuid } from './ids.js';
import { Nullable } from './schema-types.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Query parameters every list takes. */
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Page size', format: 'int32' }),
  cursor: Type.String({ minLength: 1, maxLength: 100, description: 'Opaque cursor from the previous page\'s `nextCursor`' }),
};

export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item, { maxItems: MAX_LIMIT }),
    nextCursor: Nullable(Type.String({ maxLength: 100, description: 'Pass as `cursor` for the next page; null on the last page' })),
  });

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Lists are ordered by id (UUIDv7, so creation order) and resume after the last id seen. The
 * cursor is that id, base64url-encoded so clients treat it as opaque.
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) throw new AppError('invalid_cursor', 'cursor is not one this API issued', { errors: [{ field: 'cursor', message: 'is not a valid cursor' }] });
  return id;
}

/** Splits `limit + 1` fetched rows into the page's rows and its cursor: the extra row only says that another page exists. */
function pageOfRows<Row extends { id: string }>(rows: readonly Row[], limit: number): { visible: readonly Row[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const visible = more ? rows.slice(0, limit) : rows;
  const last = visible[visible.length - 1];
  return { visible, nextCursor: more && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null };
}

export function toPage<Row extends { id: string }, Out>(rows: Row[], limit: number, map: (row: Row) => Out): Page<Out> {
  const { visible, nextCursor } = pageOfRows(rows, limit);
  return { data: visible.map(map), nextCursor };
}

/**
 * `toPage` for rows whose JSON is already written (see `entryJson`): the page's body as a string,
 * sent as is (Fastify does not serialize a string it is told is JSON).
 */
export function toJsonPage(rows: ReadonlyArray<{ id: string; json: string }>, limit: number): string {
  const { visible, nextCursor } = pageOfRows(rows, limit);
  return `{"data":[${visible.map((r) => r.json).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
}

export type PageParams = Static<typeof PageQueryObject>;
export const PageQueryObject = Type.Object({ limit: PageQuery.limit, cursor: Type.Optional(PageQuery.cursor) });
