/**
 * Region "Risk" of an analysis (SPEC §12): how much the portfolio swings, how deep it fell, how
 * concentrated it is, and which holding carries the risk, each in words an investor reads
 * without a finance course. Old analyses have no `details.risk` and show no region at all.
 */
import { useId, useMemo } from 'react';
import { LineChart } from '../../../components/LineChart';
import type { PerStock, Risk } from '../../../lib/api-types';
import { formatDate, formatInr, formatInrCompact, formatNumber, formatWeight } from '../../../lib/format';
import { summarizeSeries } from '../../../lib/series';

const NOT_ENOUGH = 'Not enough history';
/** SPEC §12: 20 returns, so 21 common sessions. */
const MIN_SESSIONS = 21;

const percent = (pct: number) => `${pct.toFixed(2)}%`;

function Measure({ term, value, explain }: { term: string; value: string; explain: string }) {
  return (
    <div className="risk-measure">
      <dt>{term}</dt>
      <dd className="risk-value">{value}</dd>
      <dd className="risk-explain">{explain}</dd>
    </div>
  );
}

export function RiskSummary({ risk, perStock }: { risk: Risk; perStock: PerStock[] }) {
  const id = useId();
  const vol = risk.annualised_volatility;
  const drawdown = risk.max_drawdown_pct;
  const top = [...perStock]
    .filter((s) => typeof s.risk_contribution_pct === 'number')
    .sort((a, b) => (b.risk_contribution_pct ?? 0) - (a.risk_contribution_pct ?? 0))[0];
  return (
    <section className="risk" aria-labelledby={id}>
      <h3 id={id}>Risk</h3>
      <p className="muted small">
        {risk.sessions > 0
          ? `Measured over the last ${risk.sessions === 1 ? 'trading session' : `${risk.sessions} trading sessions`} in which all your holdings have a price.`
          : 'We hold no trading session yet with a price for every one of your holdings.'}
      </p>
      <dl className="risk-measures">
        <Measure
          term="Annualised volatility"
          value={vol === null ? NOT_ENOUGH : `${formatWeight(vol)} a year`}
          explain="How much your portfolio's value typically swings in a year; higher means a bumpier ride."
        />
        <Measure
          term="Max drawdown"
          value={drawdown === null ? NOT_ENOUGH : percent(drawdown)}
          explain="The biggest fall from a high to a later low in this period."
        />
        <Measure
          term="Effective holdings"
          value={formatNumber(risk.effective_holdings)}
          explain="How many equal-sized holdings your portfolio behaves like; a low number means it rests on a few."
        />
        <Measure
          term="Largest sector"
          value={formatWeight(risk.largest_sector_weight)}
          explain="The share of your money in your biggest sector."
        />
      </dl>
      {vol === null ? <p className="muted small">{whyNull(risk.sessions)}</p> : null}
      {top && perStock.length > 1 ? (
        <p className="risk-headline">
          <strong>{top.symbol}</strong> carries {percent(top.risk_contribution_pct ?? 0)} of your portfolio's
          risk ({formatWeight(top.weight)} of its value).
        </p>
      ) : null}
      <ValueChart series={risk.value_series} />
    </section>
  );
}

function whyNull(sessions: number): string {
  return sessions < MIN_SESSIONS
    ? `Volatility and drawdown need ${MIN_SESSIONS} sessions with prices for every holding; ${sessions === 1 ? 'there is 1' : `there are ${sessions}`}.`
    : 'A price jump we cannot explain (perhaps a split not yet recorded) lies in this period, so volatility and drawdown are left out rather than shown wrong.';
}

function ValueChart({ series }: { series: Risk['value_series'] }) {
  const points = useMemo(
    () => series.map((p) => ({ label: formatDate(p.session), value: p.value })),
    [series],
  );
  const summary = summarizeSeries(series.map((p) => ({ date: p.session, value: p.value })));
  if (!summary || series.length < 2) return null;
  const at = (p: { date: string; value: number }) => `${formatInr(p.value)} on ${formatDate(p.date)}`;
  const alt =
    `Portfolio value over the last ${series.length} sessions, ${formatDate(summary.first.date)} to ` +
    `${formatDate(summary.last.date)}: from ${formatInr(summary.first.value)} to ${formatInr(summary.last.value)}; ` +
    `lowest ${at(summary.lowest)}; highest ${at(summary.highest)}.`;
  return (
    <>
      <h4 className="chart-title">Portfolio value</h4>
      <LineChart points={points} alt={alt} formatValue={formatInr} formatTick={formatInrCompact} />
    </>
  );
}
