import { describe, expect, it } from 'vitest';
import { RETENTION_SCHEDULE } from '../../lib/constructs/retention';
import { resourcesOf, synthApp } from './helpers';

describe('Retention (in the billing stack)', () => {
  const { templates } = synthApp('dev');
  const billing = templates.billing;
  const [id, fn] =
    resourcesOf(billing, 'AWS::Lambda::Function').find(([, f]) =>
      String(f.Properties?.Description).startsWith('Prunes stored analyses'),
    ) ?? [];

  it('runs functions/retention.ts daily at 20:30 UTC (02:00 IST), with 13 months by default', () => {
    expect(RETENTION_SCHEDULE).toEqual({ minute: '30', hour: '20' });
    expect(
      (fn?.Properties?.Environment as { Variables?: Record<string, string> })?.Variables?.RETENTION_MONTHS,
    ).toBe('13');
    expect(fn?.Properties?.Timeout).toBe(900);
    const rules = resourcesOf(billing, 'AWS::Events::Rule')
      .map(([, r]) => r.Properties ?? {})
      .filter((r) => JSON.stringify(r.Targets).includes(String(id)));
    expect(rules.map((r) => r.ScheduleExpression)).toEqual(['cron(30 20 * * ? *)']);
  });

  it('stays in the isolated subnets: no internet egress, no secret but the database’s', () => {
    const props = fn?.Properties ?? {};
    const subnets = JSON.stringify((props.VpcConfig as { SubnetIds?: unknown } | undefined)?.SubnetIds ?? '');
    expect(subnets).toContain('isolated');
    expect(subnets).not.toContain('egress');
    expect(JSON.stringify(props.Environment)).not.toMatch(/FLEXPRICE/);
  });
});
