// The parts of OpenAPI 3.1 this service's document uses (https://spec.openapis.org/oas/v3.1.0), and the
// route table each area file fills in: one entry per route the app registers, in Express's path syntax.
import type { z } from 'zod';

/** A JSON Schema 2020-12 object (OpenAPI 3.1's schema dialect, §4.8.24), or `{ $ref }` to one. */
export type JsonSchema = Record<string, unknown>;

/** A Reference Object (§4.8.23). */
export type Ref = { $ref: string };

/** A Parameter Object (§4.8.12); path parameters are always required. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** A Media Type Object (§4.8.14), keyed by content type. */
export type Content = Record<string, { schema: JsonSchema }>;

/** A Request Body Object (§4.8.13). */
export interface RequestBody {
  description?: string;
  required: boolean;
  content: Content;
}

/** A Response Object (§4.8.17). */
export interface ResponseObject {
  description: string;
  headers?: Record<string, Ref | { description: string; schema: JsonSchema }>;
  content?: Content;
}

/** A Security Requirement Object (§4.8.30): scheme name → scopes (always none here). */
export type SecurityRequirement = Record<string, string[]>;

/** An Operation Object (§4.8.10). */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: SecurityRequirement[];
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses: Record<string, ResponseObject | Ref>;
}

/** The HTTP methods the service's routes use, lowercase as in a Path Item Object (§4.8.9). */
export type HttpMethod = 'get' | 'post' | 'delete';

/** A Path Item Object: one operation per method. */
export type PathItem = Partial<Record<HttpMethod, Operation>>;

/** The whole document (§4.8.1). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; summary?: string; description?: string; license?: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

/** One route as an area file describes it; document.ts turns it into an Operation. */
export interface RouteSpec {
  method: HttpMethod;
  /** The Express path the app registers (`/api/v1/status/:hash`); document.ts writes it as `{hash}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  security?: SecurityRequirement[];
  /** The zod schema the route parses its params with: each `:param`'s schema is taken from it. */
  params?: z.ZodType;
  /** The zod schema the route parses its body with, or a JSON Schema where the route has no zod schema. */
  body?: z.ZodType | { schema: JsonSchema; required: boolean };
  /** The route's own answers; document.ts adds the common body errors and `default`. */
  responses: Record<string, ResponseObject | Ref>;
}

/** One area of the service (a tag): its routes and the named schemas they reference. */
export interface Area {
  tag: { name: string; description: string };
  routes: RouteSpec[];
  schemas?: Record<string, JsonSchema>;
}
