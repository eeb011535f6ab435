/**
 * An analysis as the API returned it (SPEC §8 "result"): value, advice, holdings, sectors,
 * charge, unknown symbols and the disclaimer, in a region named "Analysis".
 */

import { useId } from 'react';
import { ScrollTable } from '../../../components/ScrollTable';
import type { AnalyzeResponse } from '../../../lib/api-types';
import { isolateNames } from '../../../lib/bidi';
import { formatChange, formatCount, formatInr, formatIstDateTime, formatWeight } from '../../../lib/format';
import { actionOf } from '../actions';
import { RiskSummary } from './RiskSummary';
import { SectorAllocation } from './SectorAllocation';

const formatShare = (pct: number | null | undefined) =>
  typeof pct === 'number' ? `${pct.toFixed(1)}%` : '—';

const changeTone = (pct: number | null) => (pct === null ? '' : pct > 0 ? 'up' : pct < 0 ? 'down' : '');

export function AnalysisResult({
  result,
  headingRef,
}: {
  result: AnalyzeResponse;
  headingRef?: React.Ref<HTMLHeadingElement>;
}) {
  const id = useId();
  const adviceId = `${id}-advice`;
  const { billing } = result;
  // Analyses stored before risk existed have no `details.risk`: no region, no column.
  const risk = result.details.risk;
  return (
    <section className="card analysis" aria-labelledby={id}>
      <header className="card-head">
        <div>
          <h2 id={id} ref={headingRef} tabIndex={-1}>
            Analysis
          </h2>
          <p className="muted">Prices as of {formatIstDateTime(result.prices_as_of)}</p>
        </div>
      </header>
      <div className="stats">
        <div className="stat">
          <span className="stat-label">Portfolio value</span>
          <span className="stat-value">{formatInr(result.portfolio_value)}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Advice</span>
          <span className="stat-value">{result.advice.length}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Charged</span>
          <span className="stat-value">{formatInr(billing.charged)}</span>
          <span className="stat-note">
            {formatInr(billing.breakdown.portfolio_analysis)} + {billing.breakdown.advice_items} ×{' '}
            {formatInr(billing.breakdown.price_per_advice)}
          </span>
        </div>
      </div>
      {result.unknown_symbols.length ? (
        <p className="warning">Unknown symbols: {result.unknown_symbols.join(', ')}</p>
      ) : null}

      <h3 id={adviceId}>Advice</h3>
      <ul className="advice" aria-labelledby={adviceId}>
        {result.advice.map((item) => {
          const action = actionOf(item.action);
          return (
            <li key={`${item.symbol}-${item.rule}`} className={`advice-item tone-${action.tone}`}>
              <span className="advice-symbol">{item.symbol}</span>
              <span className={`badge tone-${action.tone}`}>{action.label}</span>
              <span className="advice-message">
                {isolateNames(item.message, Object.keys(result.details.sectors))}
              </span>
            </li>
          );
        })}
      </ul>
      {result.advice.length === 0 ? (
        <p className="muted">No advice: none of your rules fired for this portfolio.</p>
      ) : null}

      <div className="split">
        <div className="split-main">
          <h3>Holdings</h3>
          <ScrollTable label="Holdings table">
            <table aria-label="Holdings">
              <thead>
                <tr>
                  <th scope="col">Symbol</th>
                  <th scope="col" className="num">
                    Quantity
                  </th>
                  <th scope="col" className="num">
                    Price
                  </th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    Weight
                  </th>
                  <th scope="col" className="num">
                    7-day
                  </th>
                  {risk ? (
                    <th scope="col" className="num">
                      Risk share
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {result.details.per_stock.map((s) => (
                  <tr key={s.symbol}>
                    <th scope="row">
                      <span className="symbol-cell">{s.symbol}</span>
                      {s.name ? <bdi className="sub">{s.name}</bdi> : null}
                    </th>
                    <td className="num">{formatCount(s.quantity)}</td>
                    <td className="num">{formatInr(s.price)}</td>
                    <td className="num">{formatInr(s.stock_value)}</td>
                    <td className="num">{formatWeight(s.weight)}</td>
                    <td className={`num ${changeTone(s.change_7d_pct)}`}>{formatChange(s.change_7d_pct)}</td>
                    {risk ? <td className="num">{formatShare(s.risk_contribution_pct)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </div>
        <div className="split-side">
          <h3>Sectors</h3>
          <SectorAllocation sectors={result.details.sectors} />
        </div>
      </div>
      {risk ? <RiskSummary risk={risk} perStock={result.details.per_stock} /> : null}
      <p className="disclaimer">{result.disclaimer}</p>
    </section>
  );
}
