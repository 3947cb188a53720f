import type { Role } from './actor.js';

/**
 * Every route names one permission; this table is the only place that says which roles hold it.
 * Scope (which community or organization) is checked by the services, answering 404 outside it.
 */
export const permissions = {
  public: null,
  'communities:create': ['admin'],
  'communities:read': ['admin', 'community_admin', 'coordinator'],
  'communities:update': ['admin', 'community_admin'],
  'organizations:read': ['admin', 'community_admin', 'coordinator'],
  'organizations:write': ['admin', 'community_admin'],
  'categories:read': ['admin', 'community_admin', 'coordinator'],
  'categories:write': ['admin', 'community_admin'],
  'api-keys:manage': ['admin', 'community_admin'],
  'audit:read': ['admin', 'community_admin'],
  'volunteers:read': ['admin', 'community_admin', 'coordinator'],
  'volunteers:write': ['admin', 'community_admin', 'coordinator'],
  'volunteers:erase': ['admin', 'community_admin'],
  'members:read': ['admin', 'community_admin', 'coordinator'],
  'members:write': ['admin', 'community_admin', 'coordinator'],
  'agreements:read': ['admin', 'community_admin', 'coordinator'],
  'agreements:write': ['admin', 'community_admin'],
  'love-cards:read': ['admin', 'community_admin', 'coordinator'],
  'love-cards:write': ['admin', 'community_admin'],
  'entries:read': ['admin', 'community_admin', 'coordinator'],
  'entries:write': ['admin', 'community_admin', 'coordinator'],
  'reports:read': ['admin', 'community_admin', 'coordinator', 'reporter'],
} as const satisfies Record<string, readonly Role[] | null>;

export type Permission = keyof typeof permissions;

export function allows(permission: Permission, role: Role): boolean {
  const roles = permissions[permission] as readonly Role[] | null;
  return roles === null || roles.includes(role);
}
