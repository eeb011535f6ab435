import { Page } from '../../components/Page';
import { ApiKeys } from '../../features/keys';
import { AdviceRules } from '../../features/rules';

export function SettingsPage() {
  return (
    <Page title="Settings">
      <div className="stack">
        <AdviceRules />
        <ApiKeys />
      </div>
    </Page>
  );
}
