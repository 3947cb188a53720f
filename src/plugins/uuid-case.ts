import { isUuid } from '../lib/ids.js';

/** Rewrites one validated value (a container in place, a string by returning the new one). */
type Normalize = (value: unknown) => unknown;

const lowercaseUuid: Normalize = (value) => (typeof value === 'string' && isUuid(value) ? value.toLowerCase() : value);

/**
 * A function that lowercases every UUID a schema declares (`format: "uuid"`: properties, items,
 * union branches), or undefined when it declares none. UUIDs are case-insensitive (RFC 9562) and
 * PostgreSQL answers them in lowercase; the service compares ids as strings in places (scopes,
 * references looked up by id), where a client's capitals used to answer an empty page, a 404 or
 * "does not name a volunteer". Normalizing once, as input is validated, keeps every comparison right.
 */
export function uuidNormalizer(schema: unknown): Normalize | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as { format?: unknown; anyOf?: unknown[]; oneOf?: unknown[]; properties?: Record<string, unknown>; items?: unknown };
  if (s.format === 'uuid') return lowercaseUuid;
  const branches = [...(s.anyOf ?? []), ...(s.oneOf ?? [])].map(uuidNormalizer).filter((f): f is Normalize => f !== undefined);
  if (branches.length > 0) return (value) => branches.reduce((current, normalize) => normalize(current), value);
  const fields = Object.entries(s.properties ?? {}).flatMap(([key, property]) => {
    const normalize = uuidNormalizer(property);
    return normalize ? [[key, normalize] as const] : [];
  });
  if (fields.length > 0) {
    return (value) => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const object = value as Record<string, unknown>;
        for (const [key, normalize] of fields) if (object[key] !== undefined) object[key] = normalize(object[key]);
      }
      return value;
    };
  }
  const item = uuidNormalizer(s.items);
  if (item) {
    return (value) => {
      if (Array.isArray(value)) for (let i = 0; i < value.length; i += 1) value[i] = item(value[i]);
      return value;
    };
  }
  return undefined;
}
