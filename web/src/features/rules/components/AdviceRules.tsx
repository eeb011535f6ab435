/**
 * Region "Advice rules": per rule a checkbox named by its title and a "<title> threshold"
 * input; "Save rules" sends them all. Out-of-range thresholds are caught here and by the API,
 * shown beside the field with focus moved to the first.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ErrorSummary, FieldMessage } from '../../../components/ErrorSummary';
import { Section } from '../../../components/Section';
import { ErrorState, Loading } from '../../../components/States';
import { useApi, useApiQuery } from '../../../lib/api';
import { ApiError } from '../../../lib/errors';
import { formatNumber } from '../../../lib/format';
import { type RuleSetting, type RuleSettings, ruleTitle } from '../types';

interface Draft {
  id: RuleSetting['id'];
  enabled: boolean;
  threshold: string;
}

const thresholdId = (id: string) => `rule-${id}-threshold`;

/** `rules[2].threshold` → the rule at index 2; `rules.sharp_drop.threshold` → that id. */
function ruleOfField(field: string, drafts: Draft[]): string | null {
  const byIndex = /^rules\[(\d+)\]/.exec(field);
  if (byIndex) return drafts[Number(byIndex[1])]?.id ?? null;
  return drafts.find((d) => field.includes(d.id))?.id ?? null;
}

export function AdviceRules() {
  const api = useApi();
  const q = useApiQuery<RuleSettings>('/api/settings/rules');
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [other, setOther] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const focusFirst = useRef<string | null>(null);

  const reset = useCallback(
    (rules: RuleSetting[]) =>
      setDrafts(rules.map((r) => ({ id: r.id, enabled: r.enabled, threshold: String(r.threshold) }))),
    [],
  );
  useEffect(() => {
    if (q.data) reset(q.data.rules);
  }, [q.data, reset]);
  useEffect(() => {
    if (focusFirst.current) document.getElementById(focusFirst.current)?.focus();
    focusFirst.current = null;
  });

  const limits = new Map(q.data?.rules.map((r) => [r.id, r]) ?? []);
  const patch = (id: string, change: Partial<Draft>) => {
    setSaved(null);
    setDrafts((all) => all.map((d) => (d.id === id ? { ...d, ...change } : d)));
  };

  const showErrors = (found: Record<string, string>) => {
    setErrors(found);
    const first = drafts.find((d) => found[d.id]);
    focusFirst.current = first ? thresholdId(first.id) : null;
  };

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    setOther(null);
    const found: Record<string, string> = {};
    for (const d of drafts) {
      const rule = limits.get(d.id);
      const value = Number(d.threshold);
      if (d.threshold.trim() === '' || !Number.isFinite(value)) found[d.id] = 'Enter a number';
      else if (rule && (value < rule.min || value > rule.max))
        found[d.id] = `Enter a number from ${formatNumber(rule.min)} to ${formatNumber(rule.max)}`;
    }
    if (Object.keys(found).length) return showErrors(found);
    setBusy(true);
    try {
      const body = {
        rules: drafts.map((d) => ({ id: d.id, enabled: d.enabled, threshold: Number(d.threshold) })),
      };
      const next = await api.request<RuleSettings>('/api/settings/rules', { method: 'PUT', body });
      setErrors({});
      reset(next.rules);
      setSaved('Rules saved. Your next analysis uses them.');
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length) {
        const mapped: Record<string, string> = {};
        for (const e of error.fieldErrors) {
          const id = ruleOfField(e.field, drafts);
          if (id) mapped[id] = e.message;
        }
        if (Object.keys(mapped).length) showErrors(mapped);
        else setOther(error);
      } else setOther(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section
      title="Advice rules"
      description="Turn rules off or tune when they fire. A rule that is off gives no advice, so it costs nothing."
    >
      {q.loading && !q.data ? <Loading /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => q.reload()} /> : null}
      {q.data ? (
        <form onSubmit={onSave} noValidate>
          <ErrorSummary
            items={drafts
              .filter((d) => errors[d.id])
              .map((d) => ({
                target: thresholdId(d.id),
                message: `${ruleTitle(d.id)} threshold: ${errors[d.id]}`,
              }))}
          />
          <ul className="rules">
            {drafts.map((d) => {
              const rule = limits.get(d.id);
              const title = ruleTitle(d.id, rule?.title);
              const id = thresholdId(d.id);
              const error = errors[d.id];
              return (
                <li key={d.id} className={`rule ${d.enabled ? '' : 'off'}`}>
                  <div className="rule-head">
                    <input
                      id={`rule-${d.id}-enabled`}
                      type="checkbox"
                      className="switch"
                      checked={d.enabled}
                      aria-describedby={`rule-${d.id}-description`}
                      onChange={(e) => patch(d.id, { enabled: e.target.checked })}
                    />
                    <label htmlFor={`rule-${d.id}-enabled`} className="rule-title">
                      {title}
                    </label>
                  </div>
                  <p className="muted small" id={`rule-${d.id}-description`}>
                    {rule?.description}
                  </p>
                  <div className="field threshold">
                    <label htmlFor={id} className="field-label">
                      {title} threshold
                    </label>
                    <input
                      id={id}
                      type="number"
                      step="any"
                      min={rule?.min}
                      max={rule?.max}
                      value={d.threshold}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
                      onChange={(e) => patch(d.id, { threshold: e.target.value })}
                    />
                    <span className="hint" id={`${id}-hint`}>
                      {rule
                        ? `Default ${formatNumber(rule.default_threshold)}; from ${formatNumber(rule.min)} to ${formatNumber(rule.max)}`
                        : ''}
                    </span>
                    <FieldMessage id={`${id}-error`} message={error} />
                  </div>
                </li>
              );
            })}
          </ul>
          {other ? <ErrorState error={other} /> : null}
          <div className="form-submit">
            <button type="submit" className="button primary" disabled={busy}>
              Save rules
            </button>
            <p role="status" className="notice">
              {saved}
            </p>
          </div>
        </form>
      ) : null}
    </Section>
  );
}
