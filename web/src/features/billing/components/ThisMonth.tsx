/** Region "This month": the current bill's line items and subtotal. */
import { ScrollTable } from '../../../components/ScrollTable';
import { Section } from '../../../components/Section';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { useApiQuery } from '../../../lib/api';
import { formatCount, formatDate, formatInr, formatPeriod } from '../../../lib/format';
import type { Bill } from '../types';

export function ThisMonth() {
  const q = useApiQuery<Bill>('/api/billing');
  const bill = q.data;
  return (
    <Section
      title="This month"
      description={bill ? `${formatPeriod(bill.period)} · due ${formatDate(bill.due_date)}` : undefined}
      actions={bill ? <span className={`badge status-${bill.status}`}>{bill.status}</span> : null}
    >
      {q.loading && !bill ? <Loading /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => q.reload()} /> : null}
      {bill && bill.line_items.length === 0 ? (
        <Empty>
          <p>Nothing billed this month yet. Each analysis costs ₹5.00 plus ₹2.00 per advice item.</p>
        </Empty>
      ) : null}
      {bill && bill.line_items.length > 0 ? (
        <ScrollTable label="Bill table">
          <table aria-label="Bill lines">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num wide-only">
                  Unit price
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {bill.line_items.map((line) => (
                <tr key={`${line.feature}-${line.unit_price}`}>
                  <th scope="row">{line.description}</th>
                  {/* On a phone the unit price column is hidden and shown beside the quantity. */}
                  <td className="num with-unit" data-unit={`× ${formatInr(line.unit_price)}`}>
                    {formatCount(line.quantity)}
                  </td>
                  <td className="num wide-only">{formatInr(line.unit_price)}</td>
                  <td className="num">{formatInr(line.amount)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Subtotal
                </th>
                <td className="wide-only" />
                <td className="num strong">{formatInr(bill.subtotal)}</td>
              </tr>
            </tfoot>
          </table>
        </ScrollTable>
      ) : null}
    </Section>
  );
}
