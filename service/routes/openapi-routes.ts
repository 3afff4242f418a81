// GET /openapi.json: the app's OpenAPI 3.1 document (service/openapi), built once when the app is.
import { Router } from 'express';
import { methodNotAllowed } from '../errors.js';
import { buildOpenApiDocument, type OpenApiOptions } from '../openapi/document.js';

/** The document route; other methods answer 405 METHOD_NOT_ALLOWED, as /api/health does. */
export function openapiRoutes(options: OpenApiOptions): Router {
  const document = buildOpenApiDocument(options);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.all('/openapi.json', methodNotAllowed(['GET', 'HEAD', 'OPTIONS']));
  return router;
}
