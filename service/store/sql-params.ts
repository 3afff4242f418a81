// Parameter checks shared by both engines, so one bad value fails the same way on each.

import type { SqlParams } from './database.js';

/** Throws TypeError when a parameter is not a string, finite number, boolean or null. */
export function assertSqlParams(params: SqlParams): void {
  for (let i = 0; i < params.length; i++) {
    const value: unknown = params[i];
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    // `$n` is 1-based: name the placeholder the caller wrote.
    throw new TypeError(`"$${i + 1}" expected string, finite number, boolean or null, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `number ${value}`;
  if (typeof value === 'object') return value === null ? 'null' : `object ${value.constructor?.name ?? 'Object'}`;
  return `type=${typeof value}`;
}
