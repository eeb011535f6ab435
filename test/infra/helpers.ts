/**
 * Builds the CDK app the way bin/app.ts does, without bundling (esbuild per function would
 * make every test slow); test/infra/bundling.test.ts is the one test that bundles for real.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Stage } from '../../lib/config';
import { applyChecks } from '../../lib/nag';
import { createStockConsultant, type StockConsultant } from '../../lib/stock-consultant';

export interface Synthed extends StockConsultant {
  readonly app: App;
  /** Template of each stack, by short name. */
  readonly templates: {
    data: Template;
    ingest: Template;
    api: Template;
    billing: Template;
    observability: Template;
    web: Template;
    webContent: Template;
  };
}

/** The page a built app starts with: a charset, one module script (as Vite writes it). */
export const TEST_INDEX_HTML =
  '<!doctype html><html><head><meta charset="UTF-8"><script type="module" src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>';

/** A stand-in for web/dist (index.html, a hashed asset, a public file): no real web build needed. */
export function fakeWebDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'web-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), TEST_INDEX_HTML);
  writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

let webDist: string | undefined;

const cache = new Map<string, Synthed>();

/** The whole app for a stage, templates included; cached per stage and context. */
export function synthApp(stage: Stage = 'dev', context: Record<string, unknown> = {}): Synthed {
  const key = JSON.stringify({ stage, context });
  const hit = cache.get(key);
  if (hit) return hit;
  // prod requires an alarm e-mail (lib/config.ts); tests that check its absence pass their own.
  const required = stage === 'prod' ? { alarmEmail: 'oncall@example.com' } : {};
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage, ...required, ...context } });
  webDist ??= fakeWebDist();
  const built = createStockConsultant(app, undefined, { webDist });
  applyChecks(app);
  const t = (s: Stack) => Template.fromStack(s);
  const result: Synthed = {
    ...built,
    app,
    templates: {
      data: t(built.data),
      ingest: t(built.ingest),
      api: t(built.api),
      billing: t(built.billing),
      observability: t(built.observability),
      web: t(built.web),
      webContent: t(built.webContent),
    },
  };
  cache.set(key, result);
  return result;
}

export type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }
>;

/** Every stack's template of a synthesized app, by short name. */
export function allTemplates(synthed: Synthed): [string, Template][] {
  return Object.entries(synthed.templates);
}

/** Every resource of a type in a template, as `[logicalId, resource]` pairs. */
export function resourcesOf(template: Template, type: string): [string, Resources[string]][] {
  return Object.entries(template.findResources(type) as Resources);
}

/**
 * A CloudFormation value as readable text: `{Ref: X}` → `<X>`, `Fn::ImportValue` → `<import:…>`,
 * `Fn::GetAtt` → `<X.Attr>`, `Fn::Join` joined. Lets tests compare composed strings (CSP, URLs).
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `<${v.Ref}>`;
  if ('Fn::ImportValue' in v) return `<import:${v['Fn::ImportValue']}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Sub' in v) return String(v['Fn::Sub']);
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

/** The properties of every CloudWatch alarm of a template. */
export function alarmsOf(template: Template): Record<string, unknown>[] {
  return resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
}

/** The properties of the alarm whose name ends in `-<suffix>` (names are `<prefix>-<suffix>`). */
export function alarmNamed(template: Template, suffix: string): Record<string, unknown> | undefined {
  return alarmsOf(template).find((a) => String(a.AlarmName).endsWith(`-${suffix}`));
}
