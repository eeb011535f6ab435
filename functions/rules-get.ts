/** GET /api/settings/rules — the caller's advice rule settings: each rule of set v1, on or off, its threshold and bounds. */

import { authenticatedRoute } from './accounts/routes';
import { defaultRuleStore } from './accounts/rule-store';
import { adviceConfig } from './analysis/config';
import { settingsView } from './core/rule-settings';
import { json } from './platform/http';

export const handler = authenticatedRoute('rules-get', async ({ user }) => {
  const store = await defaultRuleStore();
  return json(200, settingsView(adviceConfig(), await store.get(user.sub)));
});
