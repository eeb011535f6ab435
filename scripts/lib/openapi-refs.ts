/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, but refer to each other as
 * `#/components/schemas/X`. Moved under a root's `$defs`, they become one self-contained JSON
 * Schema that generic tools read: the web types' generator (scripts/api-types.ts) and the tests'
 * response validator (test/helpers/openapi.ts).
 */

/** `value` with every `#/components/schemas/X` reference rewritten to `#/$defs/X`, recursively. */
export function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string'
          ? v.replace('#/components/schemas/', '#/$defs/')
          : rewriteRefs(v),
      ]),
    );
  }
  return value;
}
