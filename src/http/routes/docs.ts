/** The OpenAPI document (`/openapi.json`) and a Swagger UI page (`/docs`) served from local files. */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { createRequire } from 'node:module';
import type { RouteDeclaration } from '../route-table/declaration.js';
import { buildOpenApi, type OpenApiOptions } from '../route-table/openapi.js';

const require = createRequire(import.meta.url);

const INDEX_HTML = `<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>convergence-gateway — API CFA</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

export function docsRoutes(table: readonly RouteDeclaration[], options: OpenApiOptions = {}): Router {
  const router = Router();
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const document = JSON.stringify(buildOpenApi(table, options));
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  router.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(INDEX_HTML);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT_JS);
  });
  router.use('/docs/assets', express.static(assets, { index: false, maxAge: '1d' }));
  if (!fs.existsSync(path.join(assets, 'swagger-ui-bundle.js'))) throw new Error('swagger-ui-dist is incomplete');
  return router;
}
