import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Volunteer Hours API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script></body></html>`;

// A file of its own rather than an inline script, so the strict Content-Security-Policy holds.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout', persistAuthorization: true });`;

/** The API reference page at /docs: Swagger UI from the swagger-ui-dist package, read once into memory. */
async function docsPage(app: FastifyInstance): Promise<void> {
  const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const files = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(folder, name))]));
  const route = { config: { permission: 'public' as const }, schema: { hide: true } };

  app.get('/docs', route, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/init.js', route, async (_request, reply) => reply.type('application/javascript; charset=utf-8').send(INIT));
  app.get('/docs/:asset', route, async (request, reply) => {
    const name = (request.params as { asset: string }).asset;
    const file = files.get(name);
    if (!file) return reply.callNotFound();
    return reply.type(ASSETS[name]!).header('cache-control', 'public, max-age=86400').send(file);
  });
}

export default fp(docsPage, { name: 'docs-page' });
