import { Link, useParams } from 'react-router';
import { Page } from '../../components/Page';
import { StoredAnalysis } from '../../features/analysis';

export function AnalysisPage() {
  const { id = '' } = useParams();
  return (
    <Page title="Past analysis" intro={<Link to="/history">← All past analyses</Link>}>
      <StoredAnalysis id={id} />
    </Page>
  );
}
