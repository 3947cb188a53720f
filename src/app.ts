import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DestinationStream } from 'pino';
import { trustedProxies, type Config } from './config.js';
import { loggerOptions } from './lib/logging.js';
import { requestIdFor } from './lib/request-id.js';
import authPlugin from './plugins/auth/auth-plugin.js';
import databasePlugin from './plugins/database.js';
import httpBasics from './plugins/http-basics.js';
import metricsPlugin from './plugins/metrics.js';
import openapiPlugin from './plugins/openapi.js';
import problemsPlugin, { frameworkProblem } from './plugins/problems.js';
import rateLimits from './plugins/rate-limits.js';
import shutdown from './plugins/shutdown.js';
import validationPlugin from './plugins/validation.js';
import { agreementRoutes } from './modules/agreements/agreement-routes.js';
import { apiKeyRoutes } from './modules/api-keys/api-key-routes.js';
import { auditRoutes } from './modules/audit/audit-routes.js';
import { categoryRoutes } from './modules/service-categories/category-routes.js';
import { communityRoutes } from './modules/communities/community-routes.js';
import { healthRoutes } from './modules/health/health-routes.js';
import { loveCardRoutes } from './modules/love-cards/love-card-routes.js';
import { organizationRoutes } from './modules/organizations/organization-routes.js';
import { membershipRoutes } from './modules/memberships/membership-routes.js';
import { volunteerRoutes } from './modules/volunteers/volunteer-routes.js';
import { entryRoutes } from './modules/service-entries/entry-routes.js';
import idempotencyPurge from './modules/idempotency/idempotency-purge.js';
import { reportRoutes } from './modules/reports/report-routes.js';

export interface BuildOptions {
  /** Where log lines go; tests pass a capturing stream. Defaults to stdout. */
  logStream?: DestinationStream;
}

/** Builds the whole API without listening: used by the server, the tests and the OpenAPI exporter. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    genReqId: requestIdFor,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: trustedProxies(config),
    // Requests arriving while we drain get our own 503 problem (plugins/shutdown.ts).
    return503OnClosing: false,
    // First start of the embedded database runs every migration; on a slow disk that takes a while.
    pluginTimeout: 120_000,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Bad percent-encoding and over-long path segments are answered by the router itself: as problems too.
    frameworkErrors: frameworkProblem,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('config', config);

  // Cross-cutting first: they hook into every route registered after them.
  await app.register(validationPlugin);
  await app.register(problemsPlugin);
  await app.register(shutdown);
  await app.register(databasePlugin, { config });
  // Before auth, so 401 and 403 answers carry CORS and security headers too.
  await app.register(httpBasics, { config });
  await app.register(authPlugin, { cacheTtlMs: config.AUTH_CACHE_TTL_MS, failedKeysPerMinute: config.RATE_LIMIT_FAILED_KEYS_PER_MINUTE });
  await app.register(rateLimits, { config });
  await app.register(metricsPlugin);
  await app.register(openapiPlugin);

  await app.register(healthRoutes);
  await app.register(communityRoutes);
  await app.register(organizationRoutes);
  await app.register(categoryRoutes);
  await app.register(volunteerRoutes);
  await app.register(membershipRoutes);
  await app.register(idempotencyPurge);
  await app.register(entryRoutes);
  await app.register(reportRoutes);
  await app.register(apiKeyRoutes);
  await app.register(auditRoutes);
  await app.register(agreementRoutes);
  await app.register(loveCardRoutes);

  return app;
}
