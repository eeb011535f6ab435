import { describe, expect, it } from 'vitest';
import { allTemplates, resourcesOf, synthApp } from './helpers';

describe('log retention', { timeout: 180_000 }, () => {
  for (const [stage, context] of [
    ['dev', {}],
    ['prod', {}],
    ['dev', { profile: 'lean' }],
  ] as const) {
    it(`${stage}${'profile' in context ? ' (lean)' : ''}: every function, CDK helpers included, logs to a group with a retention`, () => {
      const synthed = synthApp(stage, context);
      const expected = synthed.config.logRetention;
      for (const [name, t] of allTemplates(synthed)) {
        const groups = new Map(
          resourcesOf(t, 'AWS::Logs::LogGroup').map(([id, g]) => [id, g.Properties ?? {}]),
        );
        for (const [id, fn] of resourcesOf(t, 'AWS::Lambda::Function')) {
          const ref = (fn.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup
            ?.Ref;
          expect(ref, `${name}/${id} has no log group of its own`).toBeDefined();
          expect(groups.get(ref ?? '')?.RetentionInDays, `${name}/${id}`).toBe(expected);
        }
      }
    });
  }
});
