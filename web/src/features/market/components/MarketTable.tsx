/** Table "Market": every symbol's latest price, refreshed every 15 s while the page is visible. */

import { useCallback, useId, useState } from 'react';
import { ScrollTable } from '../../../components/ScrollTable';
import { Section } from '../../../components/Section';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { useApiQuery } from '../../../lib/api';
import { formatChange, formatInr, formatIstDateTime } from '../../../lib/format';
import { usePolling } from '../hooks/usePolling';
import type { MarketRow } from '../types';
import { PriceHistory } from './PriceHistory';

const MARKET_REFRESH_MS = 15_000;

const tone = (pct: number | null) => (pct === null ? '' : pct > 0 ? 'up' : pct < 0 ? 'down' : '');

export function MarketTable() {
  const q = useApiQuery<MarketRow[]>('/api/market');
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const filterId = useId();
  const { reload } = q;
  const refresh = useCallback(() => reload(true), [reload]);
  usePolling(refresh, MARKET_REFRESH_MS);

  const needle = filter.trim().toUpperCase();
  const rows = (q.data ?? []).filter(
    (r) => !needle || r.symbol.includes(needle) || (r.name ?? '').toUpperCase().includes(needle),
  );
  return (
    <Section
      title="Market prices"
      description="Latest NSE prices we hold. Refreshes every 15 seconds while this page is open. Choose a symbol for its price history."
      actions={
        <div className="filter">
          <label htmlFor={filterId}>Filter</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            placeholder="Symbol or name"
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
      }
    >
      {q.loading && !q.data ? <Loading /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => q.reload()} /> : null}
      {q.data && q.data.length === 0 ? (
        <Empty>
          <p>No prices yet. They appear as soon as the first ticks arrive.</p>
        </Empty>
      ) : null}
      {chosen ? <PriceHistory symbol={chosen} onClose={() => setChosen(null)} /> : null}
      {q.data && q.data.length > 0 ? (
        <ScrollTable label="Market table">
          <table aria-label="Market">
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  1-day
                </th>
                <th scope="col" className="num">
                  7-day
                </th>
                <th scope="col">As of</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.symbol}>
                  <th scope="row">
                    <span className="symbol-cell">
                      <button
                        type="button"
                        className="symbol-button"
                        aria-pressed={chosen === r.symbol}
                        onClick={() => setChosen(chosen === r.symbol ? null : r.symbol)}
                      >
                        {r.symbol}
                        <span className="visually-hidden"> price history</span>
                      </button>
                    </span>
                    {r.name ? <bdi className="sub">{r.name}</bdi> : null}
                  </th>
                  <td className="num">{formatInr(r.price)}</td>
                  <td className={`num ${tone(r.change_1d_pct)}`}>{formatChange(r.change_1d_pct)}</td>
                  <td className={`num ${tone(r.change_7d_pct)}`}>{formatChange(r.change_7d_pct)}</td>
                  <td className="small">{formatIstDateTime(r.ts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <p className="muted pad">No symbol matches “{filter}”.</p> : null}
        </ScrollTable>
      ) : null}
    </Section>
  );
}
