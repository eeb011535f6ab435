import { Page } from '../../components/Page';
import { Invoices, ThisMonth } from '../../features/billing';

export function BillingPage() {
  return (
    <Page
      title="Billing"
      intro="Billing months follow India Standard Time. Prices are fixed when you are charged."
    >
      <div className="stack">
        <ThisMonth />
        <Invoices />
      </div>
    </Page>
  );
}
