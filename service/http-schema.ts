// Parse request input with a zod schema; the first failure becomes 400 VALIDATION naming its field.
import type { Request } from 'express';
import type { z } from 'zod';
import { AppError } from './errors.js';

/** Which part of the request is parsed; also the `field` reported when the whole part is wrong. */
export type RequestPart = 'body' | 'params' | 'query';

/** Dotted path of a zod issue (`work_proof.spot_checks.0.index`), or `fallback` at the root. */
function fieldOf(issue: z.core.$ZodIssue, fallback: string): string {
  const path = issue.path.map(String);
  // An unknown key is reported on its parent object: name the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]);
  return path.length > 0 ? path.join('.') : fallback;
}

/** `value` parsed by `schema`, or AppError('VALIDATION', message, { field }) for the first failure. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = fieldOf(issue, part);
  throw new AppError('VALIDATION', `${field}: ${issue.message}`, { field });
}

/** The JSON body parsed by `schema` (a missing body is `undefined`). */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseInput(schema, req.body, 'body');
}

/** The route params parsed by `schema`. */
export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseInput(schema, req.params, 'params');
}

/** The query string parsed by `schema` (values are strings or arrays of strings). */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseInput(schema, req.query, 'query');
}
