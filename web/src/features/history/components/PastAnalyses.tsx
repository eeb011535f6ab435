/** Region "Past analyses": newest first, each opening the stored result; "Show more" pages on. */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Section } from '../../../components/Section';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { useApi, useApiQuery } from '../../../lib/api';
import { formatCount, formatInr, formatIstDateTime } from '../../../lib/format';
import type { AnalysisPage, AnalysisSummary } from '../types';

const PAGE = 20;

/** `TCS × 10, INFY × 25 and 3 more`. */
function summarize(holdings: AnalysisSummary['holdings']): string {
  const shown = holdings.slice(0, 3).map((h) => `${h.symbol} × ${formatCount(h.quantity)}`);
  const rest = holdings.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

export function PastAnalyses({ linkTo }: { linkTo: (id: string) => string }) {
  const api = useApi();
  const first = useApiQuery<AnalysisPage>(`/api/analyses?limit=${PAGE}`);
  const [more, setMore] = useState<AnalysisSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    setMore([]);
    setCursor(first.data?.next_cursor ?? null);
  }, [first.data]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.request<AnalysisPage>(
        `/api/analyses?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`,
      );
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor);
      setMoreError(null);
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

  const items = [...(first.data?.items ?? []), ...more];
  return (
    <Section
      title="Past analyses"
      description="Every portfolio you analyzed, newest first. Opening one is free."
    >
      {first.loading && !first.data ? <Loading /> : null}
      {first.error ? <ErrorState error={first.error} onRetry={() => first.reload()} /> : null}
      {first.data && items.length === 0 ? (
        <Empty>
          <p>No analyses yet.</p>
          <p>
            <Link to="/">Analyze your first portfolio</Link>
          </p>
        </Empty>
      ) : null}
      {items.length ? (
        <ol className="history">
          {items.map((a) => (
            <li key={a.analysis_id}>
              <Link to={linkTo(a.analysis_id)} className="history-item">
                <span className="history-date">{formatIstDateTime(a.created_at)}</span>
                <span className="history-value">{formatInr(a.portfolio_value)}</span>
                <span className="history-meta">
                  {summarize(a.holdings)} · {a.advice_count} advice · charged {formatInr(a.charged)}
                </span>
              </Link>
            </li>
          ))}
        </ol>
      ) : null}
      {moreError ? <ErrorState error={moreError} /> : null}
      {cursor ? (
        <button type="button" className="button secondary" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Show more'}
        </button>
      ) : null}
    </Section>
  );
}
