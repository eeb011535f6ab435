/**
 * Region "Past analyses": newest first, each opening the stored result; "Show more" pages on;
 * "Delete" removes one after a confirmation (DeleteDialog).
 */
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Section } from '../../../components/Section';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { useApi, useApiQuery } from '../../../lib/api';
import { formatCount, formatInr, formatIstDateTime } from '../../../lib/format';
import { deleteAnalysis } from '../api/deleteAnalysis';
import type { AnalysisPage, AnalysisSummary } from '../types';
import { DeleteDialog } from './DeleteDialog';

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
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  const [pending, setPending] = useState<AnalysisSummary | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLParagraphElement>(null);

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

  const confirmDelete = async () => {
    if (!pending) return;
    setDeleting(true);
    setDeleteError(null);
    try {
      await deleteAnalysis(api, pending.analysis_id);
      setDeleted((d) => new Set(d).add(pending.analysis_id));
      setNotice(`Deleted the analysis of ${formatIstDateTime(pending.created_at)}.`);
      setPending(null);
      // The button that opened the dialog is gone: focus the confirmation instead.
      requestAnimationFrame(() => noticeRef.current?.focus());
    } catch (error) {
      setDeleteError(error);
      setPending(null);
    } finally {
      setDeleting(false);
    }
  };

  const items = [...(first.data?.items ?? []), ...more].filter((a) => !deleted.has(a.analysis_id));
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
      <p role="status" className="notice" tabIndex={-1} ref={noticeRef}>
        {notice}
      </p>
      {deleteError ? <ErrorState error={deleteError} /> : null}
      {items.length ? (
        <ol className="history">
          {items.map((a) => (
            <li key={a.analysis_id}>
              {a.restored_from_billing ? (
                // Lost in a database restore and recorded again from the billing provider's
                // records (docs/operations.md): billed, but its holdings and answer are gone.
                <div className="history-item" id={`analysis-${a.analysis_id}`}>
                  <span className="history-date">{formatIstDateTime(a.created_at)}</span>
                  <span className="history-value">Restored from billing records</span>
                  <span className="history-meta">
                    charged {formatInr(a.charged)} · details no longer available
                  </span>
                </div>
              ) : (
                <Link to={linkTo(a.analysis_id)} className="history-item" id={`analysis-${a.analysis_id}`}>
                  <span className="history-date">{formatIstDateTime(a.created_at)}</span>
                  <span className="history-value">{formatInr(a.portfolio_value)}</span>
                  <span className="history-meta">
                    {summarize(a.holdings)} · {a.advice_count} advice · charged {formatInr(a.charged)}
                  </span>
                </Link>
              )}
              <button
                type="button"
                className="button danger"
                aria-describedby={`analysis-${a.analysis_id}`}
                onClick={() => {
                  setNotice('');
                  setPending(a);
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ol>
      ) : null}
      <DeleteDialog
        what={
          pending
            ? `${formatIstDateTime(pending.created_at)}: ${formatInr(pending.portfolio_value)}, ${summarize(pending.holdings)}`
            : null
        }
        busy={deleting}
        onConfirm={confirmDelete}
        onCancel={() => setPending(null)}
      />
      {moreError ? <ErrorState error={moreError} /> : null}
      {cursor ? (
        <button type="button" className="button secondary" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Show more'}
        </button>
      ) : null}
    </Section>
  );
}
