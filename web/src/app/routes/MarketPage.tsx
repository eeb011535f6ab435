import { Page } from '../../components/Page';
import { MarketTable } from '../../features/market';

export function MarketPage() {
  return (
    <Page title="Market">
      <MarketTable />
    </Page>
  );
}
