import { Page } from '../../components/Page';
import { PastAnalyses } from '../../features/history';

export function HistoryPage() {
  return (
    <Page title="History">
      <PastAnalyses linkTo={(id) => `/history/${encodeURIComponent(id)}`} />
    </Page>
  );
}
