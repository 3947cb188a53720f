import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../lib/errors.js';
import { createKeyVerifier } from '../../modules/api-keys/key-verifier.js';
import type { Actor } from './actor.js';
import { createFailedKeyLimiter } from './failed-keys.js';
import { allows, permissions, type Permission } from './permissions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Every route's permission by `METHOD /url` (e.g. `GET /v1/agreements/:id`), as registered. */
    routePermissions: ReadonlyMap<string, Permission>;
  }
}

/** The CORS plugin's preflight route is public by nature and cannot carry our config. */
const isPluginRoute = (route: { method: string | string[] }): boolean => route.method === 'OPTIONS';

/**
 * The deny-by-default check every route passes as it is registered (an onRoute hook): answers the
 * route's permission, or throws when it declares none the permission table knows.
 */
export function requirePermission(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): Permission {
  if (isPluginRoute(route)) {
    route.config = { ...route.config, permission: 'public' };
    return 'public';
  }
  const permission = route.config?.permission;
  if (!permission || !Object.hasOwn(permissions, permission)) {
    throw new Error(`Route ${String(route.method)} ${route.url} declares no permission (config.permission)`);
  }
  return permission;
}

// The scheme name is case-insensitive (RFC 9110 §11.1); the key is printable ASCII without spaces.
const BEARER = /^Bearer ([\x21-\x7e]{1,200})$/i;

export interface AuthOptions {
  cacheTtlMs: number;
  /** Unknown or revoked keys one address may present per minute (see createFailedKeyLimiter). */
  failedKeysPerMinute: number;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const verifier = createKeyVerifier(app.db, options.cacheTtlMs);
  const failedKeys = createFailedKeyLimiter(options.failedKeysPerMinute);
  app.decorate('keyVerifier', verifier);
  app.decorateRequest('actor', null);

  // Deny by default: a route that does not say who may call it stops the app from starting.
  const routePermissions = new Map<string, Permission>();
  app.decorate('routePermissions', routePermissions);
  app.addHook('onRoute', (route) => {
    const permission = requirePermission(route);
    for (const method of [route.method].flat()) routePermissions.set(`${method} ${route.url}`, permission);
  });

  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config?.permission;
    if (!permission || permission === 'public') return;
    const header = request.headers.authorization;
    const match = header ? BEARER.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError('unauthorized', 'Send an API key as `Authorization: Bearer <key>`', { headers: { 'www-authenticate': 'Bearer' } });
    }
    // A client past its budget of unknown keys is refused the lookup of any key the service does
    // not know: keys that verified lately still pass, so the other clients of a shared address
    // (behind a proxy TRUST_PROXY does not name) keep working. Cached keys never get this far.
    const actor = await verifier.verify(match[1], () => {
      const wait = failedKeys.retryAfter(request.ip);
      if (wait > 0) {
        throw new AppError('rate_limited', `Too many unknown or revoked API keys from this address; retry after ${wait} s`, { headers: { 'retry-after': String(wait) } });
      }
    });
    if (!actor) {
      failedKeys.failed(request.ip);
      throw new AppError('unauthorized', 'The API key is unknown or revoked', { headers: { 'www-authenticate': 'Bearer' } });
    }
    request.actor = actor;
    if (!allows(permission, actor.role)) throw new AppError('forbidden', `A ${actor.role} key may not do this (${permission})`);
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database'] });
