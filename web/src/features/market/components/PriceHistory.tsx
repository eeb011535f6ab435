/**
 * A symbol's daily closes (SPEC §11 history, the last 90 days) as a line chart, opened by
 * choosing the symbol in the market table. The image's name carries the first, last, lowest
 * and highest close, so a screen reader gets what the line shows.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import { LineChart } from '../../../components/LineChart';
import { ErrorState, Loading } from '../../../components/States';
import { useApiQuery } from '../../../lib/api';
import { formatDate, formatInr, formatInrCompact } from '../../../lib/format';
import { summarizeSeries } from '../../../lib/series';
import type { PriceHistory as History } from '../types';

const HISTORY_DAYS = 90;

const historyPath = (symbol: string) =>
  `/api/market/${encodeURIComponent(symbol)}/history?days=${HISTORY_DAYS}`;

export function PriceHistory({ symbol, onClose }: { symbol: string; onClose: () => void }) {
  const q = useApiQuery<History>(historyPath(symbol));
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Choosing a symbol moves focus here, so keyboard and screen-reader users land on the chart.
  useEffect(() => {
    if (symbol) heading.current?.focus();
  }, [symbol]);
  const bars = q.data?.symbol === symbol ? q.data.bars : undefined;
  const points = useMemo(
    () => (bars ?? []).map((b) => ({ label: formatDate(b.session), value: b.close })),
    [bars],
  );
  const summary = summarizeSeries((bars ?? []).map((b) => ({ date: b.session, value: b.close })));
  const at = (p: { date: string; value: number }) => `${formatInr(p.value)} on ${formatDate(p.date)}`;
  return (
    <section className="price-history" aria-labelledby={id}>
      <header className="card-head">
        <h3 id={id} ref={heading} tabIndex={-1}>
          {symbol}: daily closes, last {HISTORY_DAYS} days
        </h3>
        <button type="button" className="button secondary" onClick={onClose}>
          Close chart
        </button>
      </header>
      {q.loading && !bars ? <Loading label={`Loading the price history of ${symbol}…`} /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => q.reload()} /> : null}
      {bars && !summary ? <p className="muted">No daily history for {symbol} yet.</p> : null}
      {bars && summary ? (
        <LineChart
          points={points}
          alt={
            `Price history of ${symbol}, ${bars.length} sessions from ${formatDate(summary.first.date)} to ` +
            `${formatDate(summary.last.date)}: first close ${at(summary.first)}; last close ${at(summary.last)}; ` +
            `lowest ${at(summary.lowest)}; highest ${at(summary.highest)}.`
          }
          formatValue={formatInr}
          formatTick={formatInrCompact}
        />
      ) : null}
    </section>
  );
}
