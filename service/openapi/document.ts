// The OpenAPI 3.1 document of the app (architecture: HTTP surface): the areas' route tables turned into paths
// and operations, with the shared components. test/http/openapi.test.ts checks it against the routes Express has.
import { adminArea } from './admin-paths.js';
import { beatsArea } from './beats-paths.js';
import { components, ref } from './components.js';
import { registryArea } from './registry-paths.js';
import { serviceArea, UNLISTED, webArea } from './service-paths.js';
import type { Area, OpenApiDocument, Operation, Ref, RequestBody, RouteSpec } from './types.js';
import { pathParametersOf, requestBodyOf, toOpenApiPath } from './zod-schema.js';

/** What the document is built for. */
export interface OpenApiOptions {
  /** The version `/api/health` reports. */
  version: string;
  /** True when the app serves the Beats service, the registry and the page (createApp with `services`). */
  withServices: boolean;
}

/** The areas an app serves: health, metrics and this document always; the rest with its services. */
function areasOf(withServices: boolean): Area[] {
  return withServices ? [serviceArea, beatsArea, registryArea, adminArea, webArea] : [serviceArea];
}

/** The OpenAPI 3.1 document of an app built with `options`. */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const areas = areasOf(options.withServices);
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'Beats',
      version: options.version,
      summary: 'Verifiable computation for AI agents: signed anchors, work proofs and receipts, and the agent registry.',
      description:
        'Every error is `{"error": message, "code": CODE, ...details}` (components/schemas/Error), its status from the code. ' +
        `Not listed: ${UNLISTED.join('; ')}.`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: areas.map((a) => a.tag),
    paths: {},
    components: components(),
  };
  for (const area of areas) {
    Object.assign(doc.components.schemas, area.schemas);
    for (const route of area.routes) {
      const item = (doc.paths[toOpenApiPath(route.path)] ??= {});
      if (item[route.method]) throw new Error(`openapi: ${route.method.toUpperCase()} ${route.path} is described twice`);
      item[route.method] = operationOf(route);
    }
  }
  return doc;
}

/** One route's Operation: path params and body from its schemas, the common body errors, and `default`. */
function operationOf(route: RouteSpec): Operation {
  const parameters = pathParametersOf(route.path, route.params);
  const body = requestBodyFor(route);
  // Any route that reads a JSON body can answer these (app.ts: requireJsonBody, express.json, parseBody).
  const bodyErrors: Record<string, Ref> = body
    ? { 400: ref('responses', 'Validation'), 413: ref('responses', 'PayloadTooLarge'), 415: ref('responses', 'UnsupportedMediaType') }
    : {};
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    ...(route.security ? { security: route.security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: { ...bodyErrors, ...route.responses, default: ref('responses', 'Error') },
  };
}

/** The route's JSON body: from its zod schema, or its JSON Schema as written. */
function requestBodyFor(route: RouteSpec): RequestBody | undefined {
  const { body } = route;
  if (body === undefined) return undefined;
  if ('safeParse' in body) return requestBodyOf(body);
  return { required: body.required, content: { 'application/json': { schema: body.schema } } };
}
