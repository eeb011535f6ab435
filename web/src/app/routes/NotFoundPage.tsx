import { Link } from 'react-router';
import { Page } from '../../components/Page';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <div className="card">
        <p>
          There is no page at this address. <Link to="/">Go to Analyze</Link>.
        </p>
      </div>
    </Page>
  );
}
