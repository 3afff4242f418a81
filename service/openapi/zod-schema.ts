// From the zod schemas the routes parse with to the document's schemas, so a request shape is written once.
// The document shows what a client sends: zod's *input* side (before `.transform`), as JSON Schema 2020-12.
// Refinements across fields (`.refine`) have no JSON Schema form; the operation's description states them.
import { z } from 'zod';
import type { JsonSchema, Parameter, RequestBody } from './types.js';

/** `schema`'s input as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` keyword. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  // unrepresentable 'any': a custom check becomes `{}` (anything) rather than an exception at boot.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return rest as JsonSchema;
}

/** A JSON request body from the route's zod schema; required unless the schema accepts no body (`undefined`). */
export function requestBodyOf(schema: z.ZodType, description?: string): RequestBody {
  return {
    ...(description === undefined ? {} : { description }),
    required: !schema.safeParse(undefined).success,
    content: { 'application/json': { schema: jsonSchemaOf(schema) } },
  };
}

const EXPRESS_PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** `/status/:hash` → `/status/{hash}`; Express 5's optional `{…}` groups and `*wildcards` are refused (none is used). */
export function toOpenApiPath(expressPath: string): string {
  if (/[{}*()?+]/.test(expressPath)) throw new Error(`openapi: no OpenAPI form for the Express path ${expressPath}`);
  return expressPath.replace(EXPRESS_PARAM, '{$1}');
}

/** The names of an Express path's `:params`, in order. */
export function paramNamesOf(expressPath: string): string[] {
  return [...expressPath.matchAll(EXPRESS_PARAM)].map((m) => m[1]);
}

/** One required path Parameter per `:param` of `expressPath`, its schema taken from `params` (a zod object) when it names it. */
export function pathParametersOf(expressPath: string, params?: z.ZodType): Parameter[] {
  const properties = (params ? jsonSchemaOf(params).properties : undefined) as Record<string, JsonSchema> | undefined;
  return paramNamesOf(expressPath).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: properties?.[name] ?? { type: 'string' },
  }));
}
