/**
 * `npm run api-types`: generate the web app's response types (web/src/lib/api-types.generated.ts)
 * from docs/openapi.json, so the app and the API cannot drift; `-- --check` (run by `npm test`)
 * exits 1 when the checked-in file is not what the document generates today.
 *
 * The generator is json-schema-to-typescript over `components.schemas`: OpenAPI 3.1 schemas are
 * JSON Schema, and it has no TypeScript-compiler dependency, so it runs beside TypeScript 7
 * (openapi-typescript 7 needs TypeScript 5's JS API as a peer, which `npm ci` refuses here).
 * Why, and what else was tried: docs/web.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compile } from 'json-schema-to-typescript';
import { rewriteRefs } from './lib/openapi-refs';

const ROOT = join(import.meta.dirname, '..');
const SOURCE = join(ROOT, 'docs/openapi.json');
export const TARGET = join(ROOT, 'web/src/lib/api-types.generated.ts');

const BANNER = `/**
 * GENERATED from docs/openapi.json by \`npm run api-types\` (json-schema-to-typescript): do not edit.
 * \`npm test\` fails when this file is not what the document generates.
 */`;

/** The generated module's text for the OpenAPI document as it is now. */
async function generateApiTypes(): Promise<string> {
  const doc = JSON.parse(await readFile(SOURCE, 'utf8')) as { components: { schemas: object } };
  // An empty root whose $defs are every component schema: `unreachableDefinitions` emits one
  // exported interface per schema, named as in the document (AnalyzeResponse, PerStock, Risk…).
  const root = { type: 'object', additionalProperties: false, $defs: rewriteRefs(doc.components.schemas) };
  const ts = await compile(root as never, 'ApiDocument', {
    bannerComment: BANNER,
    unreachableDefinitions: true,
    additionalProperties: false,
    // The API bounds arrays (1 … 100 holdings); as tuples they would only make the app's code awkward.
    ignoreMinAndMaxItems: true,
    style: { singleQuote: true, printWidth: 110, semi: true, trailingComma: 'all' },
  });
  // The root itself is an empty interface nobody uses.
  return ts.replace(/^export interface ApiDocument \{\}\n/m, '');
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const generated = await generateApiTypes();
  if (process.argv.includes('--check')) {
    const current = await readFile(TARGET, 'utf8').catch(() => '');
    if (current !== generated) {
      console.error(
        'web/src/lib/api-types.generated.ts is not what docs/openapi.json generates: run `npm run api-types`',
      );
      process.exit(1);
    }
    console.log('api-types: web/src/lib/api-types.generated.ts matches docs/openapi.json');
  } else {
    await writeFile(TARGET, generated);
    console.log(`api-types: wrote ${TARGET}`);
  }
}
