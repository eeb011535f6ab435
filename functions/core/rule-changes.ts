/**
 * PUT /api/settings/rules, pure: validate the requested changes (known rule ids, each once,
 * thresholds within the rule's bounds) and apply them to what a user had changed before.
 * `threshold: null` returns a rule to its configured default.
 */
import { z } from 'zod';
import { boundsOf, type Overrides, RULE_BOUNDS, type RuleOverride, withinBounds } from './rule-settings';

/** One rule of a PUT: `threshold: null` means back to the default. */
export interface RuleChange {
  id: string;
  enabled?: boolean;
  threshold?: number | null;
}

const changeSchema = z.strictObject({
  id: z.string({ error: 'must be a rule id' }),
  enabled: z.boolean({ error: 'must be true or false' }).optional(),
  threshold: z.number({ error: 'must be a number or null' }).nullable().optional(),
});
const updateSchema = z.strictObject({
  rules: z
    .array(changeSchema, { error: 'must be an array of {id, enabled?, threshold?}' })
    .min(1, 'must change at least one rule')
    .max(RULE_BOUNDS.length, `must have at most ${RULE_BOUNDS.length} entries`),
});

export interface FieldIssue {
  field: string;
  message: string;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || 'body';
}

/** Validate a PUT body: known ids, each once, thresholds within bounds. */
export function parseRulesUpdate(
  body: unknown,
): { ok: true; changes: RuleChange[] } | { ok: false; errors: FieldIssue[] } {
  const parsed = updateSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })),
    };
  }
  const errors: FieldIssue[] = [];
  const seen = new Set<string>();
  parsed.data.rules.forEach((change, i) => {
    const b = boundsOf(change.id);
    if (!b) {
      errors.push({
        field: `rules[${i}].id`,
        message: `must be one of ${RULE_BOUNDS.map((r) => r.id).join(', ')}`,
      });
      return;
    }
    if (seen.has(change.id)) errors.push({ field: `rules[${i}].id`, message: 'appears more than once' });
    seen.add(change.id);
    if (typeof change.threshold === 'number') {
      const problem = withinBounds(b, change.threshold);
      if (problem) errors.push({ field: `rules[${i}].threshold`, message: problem });
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, changes: parsed.data.rules };
}

/** Apply validated changes to what a user had changed before. */
export function applyChanges(overrides: Overrides, changes: readonly RuleChange[]): Overrides {
  const out: Overrides = { ...overrides };
  for (const c of changes) {
    const next: RuleOverride = { ...out[c.id] };
    if (c.enabled !== undefined) next.enabled = c.enabled;
    if (c.threshold === null) delete next.threshold;
    else if (c.threshold !== undefined) next.threshold = c.threshold;
    if (Object.keys(next).length > 0) out[c.id] = next;
    else delete out[c.id];
  }
  return out;
}
