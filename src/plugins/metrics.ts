import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry, where modules register metrics of their own. */
    metrics: Registry;
  }
}

/** Prometheus metrics, one registry per app so tests can build many apps in one process. */
async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const registry = new Registry();
  app.decorate('metrics', registry);
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total', help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status_code'], registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'], registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL, so ids do not explode label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', {
    config: { permission: 'public' },
    schema: { hide: true },
  }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}

export default fp(metricsPlugin, { name: 'metrics' });
