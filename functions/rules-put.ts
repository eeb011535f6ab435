/**
 * PUT /api/settings/rules `{"rules": [{"id", "enabled"?, "threshold"?}]}` — change some rules
 * (`threshold: null` = back to the default) → 200 with all the settings. Unknown ids and
 * thresholds out of bounds are 400 naming the field (`rules[2].threshold`); nothing is saved then.
 * Later analyses use the new settings; past analyses keep the ones they used.
 */

import { authenticatedRoute } from './accounts/routes';
import { defaultRuleStore } from './accounts/rule-store';
import { adviceConfig } from './analysis/config';
import { parseRulesUpdate } from './core/rule-changes';
import { settingsView } from './core/rule-settings';
import { badRequest } from './platform/errors';
import { json, jsonBody } from './platform/http';

export const handler = authenticatedRoute('rules-put', async ({ event, user }, { logger }) => {
  const parsed = parseRulesUpdate(jsonBody(event, '{"rules": [{"id": …, "enabled"?: …, "threshold"?: …}]}'));
  if (!parsed.ok) throw badRequest('The rule settings are invalid', parsed.errors);
  const store = await defaultRuleStore();
  const saved = await store.update(user.sub, parsed.changes);
  logger.info('rule settings changed', { rules: parsed.changes.map((c) => c.id) });
  return json(200, settingsView(adviceConfig(), saved));
});
