// Canonical JSON for receipts (protocol A3; peer-protocol §4 "Canonical JSON").

/**
 * `JSON.stringify` of `obj` with its top-level keys sorted by `Object.keys().sort()` and no whitespace.
 * Nested values keep plain `JSON.stringify` order: the peer sorts only the top level, and receipts hold scalars.
 */
export function canonicalJson(obj: object): string {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TypeError(`"obj" expected a plain object, got ${obj === null ? 'null' : Array.isArray(obj) ? 'array' : typeof obj}`);
  }
  const record = obj as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return JSON.stringify(sorted);
}
