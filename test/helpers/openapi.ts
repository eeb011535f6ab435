/**
 * Validate real handler responses against docs/openapi.json. Schemas are turned into zod with
 * `z.fromJSONSchema` (OpenAPI 3.1 schemas are JSON Schema 2020-12); component references
 * become `$defs` references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { rewriteRefs } from '../../scripts/lib/openapi-refs';

const OPENAPI_FILE = join(import.meta.dirname, '../../docs/openapi.json');

type Json = Record<string, unknown>;

export const openapi = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
};

const defs = rewriteRefs(openapi.components.schemas) as Record<string, Json>;

function resolveResponse(response: Json): Json {
  const ref = response.$ref;
  if (typeof ref !== 'string') return response;
  const name = ref.replace('#/components/responses/', '');
  const target = openapi.components.responses[name];
  if (!target) throw new Error(`unknown response ${ref}`);
  return target;
}

/** Problems found validating `res` as the documented answer of `method path` (empty = valid). */
export function validateResponse(
  method: string,
  path: string,
  res: APIGatewayProxyStructuredResultV2,
): string[] {
  const operation = openapi.paths[path]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${path} is not documented`];
  const responses = operation.responses as Record<string, Json>;
  const documented = responses[String(res.statusCode)];
  if (!documented) return [`${method} ${path} does not document status ${res.statusCode}`];
  const content = resolveResponse(documented).content as Record<string, { schema: Json }> | undefined;
  // A response documented without content (204) must come without a body.
  if (!content) return res.body ? [`${method} ${path} ${res.statusCode} documents no body but has one`] : [];
  const contentType = String(res.headers?.['content-type'] ?? '').split(';')[0] ?? '';
  const media = content?.[contentType];
  if (!media) return [`${method} ${path} ${res.statusCode} does not document content type "${contentType}"`];
  const schema = z.fromJSONSchema({ ...(rewriteRefs(media.schema) as Json), $defs: defs } as never);
  const parsed = schema.safeParse(JSON.parse(res.body ?? 'null'));
  return parsed.success
    ? []
    : parsed.error.issues.map(
        (i) => `${method} ${path} ${res.statusCode}: ${i.path.join('.')}: ${i.message}`,
      );
}
