import { describe, expect, it } from 'vitest';
import { adviceConfig } from '../../functions/analysis/config';
import { RULES } from '../../functions/core/advice';
import { applyChanges, parseRulesUpdate } from '../../functions/core/rule-changes';
import {
  defaultsProblems,
  effectiveSettings,
  RULE_BOUNDS,
  readOverrides,
  settingsView,
} from '../../functions/core/rule-settings';

const defaults = adviceConfig({});

describe('rule settings (pure)', () => {
  it('has bounds for exactly the rules of set v1, in order, each holding its default', () => {
    expect(RULE_BOUNDS.map((b) => b.id)).toEqual(RULES.map((r) => r.id));
    expect(defaultsProblems(defaults)).toEqual([]);
    const view = settingsView(defaults, {});
    expect(view.rule_set).toBe('v1');
    expect(view.rules.map((r) => [r.id, r.enabled, r.threshold, r.default_threshold, r.min, r.max])).toEqual([
      ['concentration', true, 0.5, 0.5, 0.1, 0.9],
      ['sharp_drop', true, -5, -5, -50, -1],
      ['strong_growth', true, 5, 5, 1, 100],
      ['high_volatility', true, 0.04, 0.04, 0.005, 0.5],
      ['underweight_momentum', true, 0.05, 0.05, 0.01, 0.5],
      ['diversification', true, 2, 2, 2, 11],
    ]);
  });

  it('with no changes runs every rule with the configured thresholds', () => {
    const e = effectiveSettings(defaults, {});
    expect(e.thresholds).toEqual(defaults);
    expect(e.rules).toEqual(RULES);
  });

  it('merges a user’s changes over the defaults and drops disabled rules', () => {
    const e = effectiveSettings(defaults, {
      concentration: { threshold: 0.3 },
      sharp_drop: { enabled: false },
      diversification: { threshold: 4, enabled: true },
    });
    expect(e.thresholds).toEqual({ ...defaults, concentrationWeight: '0.3', minSectors: 4 });
    expect(e.rules.map((r) => r.id)).toEqual([
      'concentration',
      'strong_growth',
      'high_volatility',
      'underweight_momentum',
      'diversification',
    ]);
    expect(e.settings.rules[1]).toEqual({ id: 'sharp_drop', enabled: false, threshold: -5 });
  });

  it('follows a changed default for rules the user left alone', () => {
    const stricter = { ...defaults, sharpDropPct: -3 };
    expect(settingsView(stricter, { concentration: { threshold: 0.3 } }).rules[1]?.threshold).toBe(-3);
  });

  it.each([
    [{ rules: [{ id: 'concentration', threshold: 0.95 }] }, 'rules[0].threshold', /between 0.1 and 0.9/],
    [{ rules: [{ id: 'sharp_drop', threshold: 0 }] }, 'rules[0].threshold', /between -50 and -1/],
    [{ rules: [{ id: 'diversification', threshold: 2.5 }] }, 'rules[0].threshold', /whole number/],
    [{ rules: [{ id: 'high_volatility', threshold: 0.123456 }] }, 'rules[0].threshold', /4 decimal places/],
    [{ rules: [{ id: 'momentum' }] }, 'rules[0].id', /must be one of concentration/],
    [{ rules: [{ id: 'sharp_drop' }, { id: 'sharp_drop' }] }, 'rules[1].id', /more than once/],
    [{ rules: [{ id: 'sharp_drop', enabled: 'no' }] }, 'rules[0].enabled', /true or false/],
    [{ rules: [{ id: 'sharp_drop', threshold: '-8' }] }, 'rules[0].threshold', /number/],
    [{ rules: [] }, 'rules', /at least one/],
    [{ rules: [{ id: 'sharp_drop', colour: 'red' }] }, 'rules[0]', /.+/],
    [{}, 'rules', /.+/],
  ])('refuses %j at %s', (body, field, message) => {
    const parsed = parseRulesUpdate(body);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('names the failing entry among several', () => {
    const parsed = parseRulesUpdate({
      rules: [
        { id: 'concentration', enabled: false },
        { id: 'strong_growth', threshold: 5 },
        { id: 'sharp_drop', threshold: -60 },
      ],
    });
    expect(parsed).toEqual({
      ok: false,
      errors: [{ field: 'rules[2].threshold', message: 'must be between -50 and -1' }],
    });
  });

  it('applies changes field by field; null returns a threshold to its default', () => {
    const before = { concentration: { enabled: false, threshold: 0.3 }, sharp_drop: { threshold: -8 } };
    expect(
      applyChanges(before, [
        { id: 'concentration', enabled: true },
        { id: 'sharp_drop', threshold: null },
        { id: 'diversification', threshold: 3 },
      ]),
    ).toEqual({ concentration: { enabled: true, threshold: 0.3 }, diversification: { threshold: 3 } });
  });

  it('ignores stored values it no longer accepts instead of failing analyses', () => {
    expect(
      readOverrides({
        concentration: { threshold: 5 },
        gone_rule: { enabled: false },
        sharp_drop: { enabled: false, threshold: -8 },
      }),
    ).toEqual({ sharp_drop: { enabled: false, threshold: -8 } });
    expect(readOverrides(null)).toEqual({});
    expect(readOverrides([1])).toEqual({});
  });

  it('refuses configured defaults users could not set back', () => {
    adviceConfig.reset();
    expect(() => adviceConfig({ ADVICE_CONCENTRATION_WEIGHT: '0.95' })).toThrow(/concentration default 0.95/);
    adviceConfig.reset();
  });
});
