/**
 * Builds the CDK app the way bin/app.ts does, without bundling (esbuild per function would
 * make every test slow); test/infra/bundling.test.ts is the one test that bundles for real.
 */
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
  };
}

const cache = new Map<string, Synthed>();

/** The whole app for a stage, templates included; cached per stage and context. */
export function synthApp(stage: Stage = 'dev', context: Record<string, unknown> = {}): Synthed {
  const key = JSON.stringify({ stage, context });
  const hit = cache.get(key);
  if (hit) return hit;
  // prod requires an alarm e-mail (lib/config.ts); tests that check its absence pass their own.
  const required = stage === 'prod' ? { alarmEmail: 'oncall@example.com' } : {};
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage, ...required, ...context } });
  const built = createStockConsultant(app);
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
