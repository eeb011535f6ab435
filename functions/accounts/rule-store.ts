/**
 * Persistence of per-user advice rule settings (only what a user changed; see
 * core/rule-settings.ts). POST /api/analyze reads them inside its one query
 * (analysis/analysis-store.ts); these are the settings routes' reads and writes.
 */
import { applyChanges, type RuleChange } from '../core/rule-changes';
import { type Overrides, readOverrides } from '../core/rule-settings';
import { db, type Sql } from '../platform/db';

export interface RuleStore {
  get(userSub: string): Promise<Overrides>;
  /** Apply changes atomically (concurrent PUTs of one user never lose each other's changes). */
  update(userSub: string, changes: readonly RuleChange[]): Promise<Overrides>;
}

function sqlRuleStore(sql: Sql): RuleStore {
  return {
    async get(userSub) {
      const [row] = await sql<
        [{ rules: unknown }?]
      >`SELECT rules FROM rule_settings WHERE user_sub = ${userSub}`;
      return readOverrides(row?.rules);
    },

    async update(userSub, changes) {
      return sql.begin(async (tx) => {
        // The user's row serializes read-modify-write, also before their first settings row exists.
        await tx`SELECT 1 FROM users WHERE sub = ${userSub} FOR UPDATE`;
        const [row] = await tx<
          [{ rules: unknown }?]
        >`SELECT rules FROM rule_settings WHERE user_sub = ${userSub}`;
        const next = applyChanges(readOverrides(row?.rules), changes);
        await tx`
          INSERT INTO rule_settings (user_sub, rules, updated_at)
          VALUES (${userSub}, ${JSON.stringify(next)}::text::jsonb, now())
          ON CONFLICT (user_sub) DO UPDATE SET rules = EXCLUDED.rules, updated_at = EXCLUDED.updated_at`;
        return next;
      });
    },
  };
}

export async function defaultRuleStore(): Promise<RuleStore> {
  return sqlRuleStore(await db());
}
