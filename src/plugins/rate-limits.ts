import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../lib/errors.js';

/** Reports and batch imports are the expensive calls, so their budgets are smaller. */
function budgetFor(route: RouteOptions, config: Config): number | undefined {
  if (route.url.startsWith('/v1/reports') || route.url.endsWith('/service-record')) return config.RATE_LIMIT_REPORTS_PER_MINUTE;
  if (route.url === '/v1/service-entries/batch') return config.RATE_LIMIT_BATCH_PER_MINUTE;
  return undefined;
}

/**
 * Per-key budgets per minute (per address for calls without a key), answered with a 429 problem,
 * Retry-After and the RateLimit-* headers. Runs after authentication, so the key is known.
 */
async function rateLimits(app: FastifyInstance, options: { config: Config }): Promise<void> {
  const { config } = options;
  // Before the rate-limit plugin reads route config, stricter budgets are set on the costly routes.
  app.addHook('onRoute', (route) => {
    const max = budgetFor(route, config);
    if (max !== undefined) route.config = { ...route.config, rateLimit: { max, timeWindow: '1 minute' } } as typeof route.config;
  });
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    hook: 'onRequest',
    enableDraftSpec: true,
    keyGenerator: (request) => (request.actor ? `key:${request.actor.keyId}` : `ip:${request.ip}`),
    allowList: (request) => request.routeOptions.config?.permission === 'public' || !request.routeOptions.url,
    errorResponseBuilder: (_request, context) => new AppError('rate_limited', `This key may make ${context.max} such requests per ${context.after === '1 minute' ? 'minute' : context.after}; retry after ${Math.ceil(context.ttl / 1000)} s`),
  });
}

export default fp(rateLimits, { name: 'rate-limits', dependencies: ['auth'] });
