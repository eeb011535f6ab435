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
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage, ...context } });
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

/** Every resource of a type in a template, as `[logicalId, resource]` pairs. */
export function resourcesOf(template: Template, type: string): [string, Resources[string]][] {
  return Object.entries(template.findResources(type) as Resources);
}

/** The properties of every CloudWatch alarm of a template. */
export function alarmsOf(template: Template): Record<string, unknown>[] {
  return resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
}

/** The properties of the alarm whose name ends in `-<suffix>` (names are `<prefix>-<suffix>`). */
export function alarmNamed(template: Template, suffix: string): Record<string, unknown> | undefined {
  return alarmsOf(template).find((a) => String(a.AlarmName).endsWith(`-${suffix}`));
}
