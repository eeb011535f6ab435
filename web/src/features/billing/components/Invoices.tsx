/** Region "Invoices": number, period, total, status and due date of every issued invoice. */
import { ScrollTable } from '../../../components/ScrollTable';
import { Section } from '../../../components/Section';
import { Empty, ErrorState, Loading } from '../../../components/States';
import { useApiQuery } from '../../../lib/api';
import { formatDate, formatInr, formatPeriod } from '../../../lib/format';
import type { InvoiceSummary } from '../types';

export function Invoices() {
  const q = useApiQuery<{ invoices: InvoiceSummary[] }>('/api/billing/invoices');
  const invoices = q.data?.invoices;
  return (
    <Section title="Invoices" description="Issued after each month ends (IST), payable within 3 days.">
      {q.loading && !q.data ? <Loading /> : null}
      {q.error ? <ErrorState error={q.error} onRetry={() => q.reload()} /> : null}
      {invoices && invoices.length === 0 ? (
        <Empty>
          <p>No invoices yet. Your first one is issued after the month in which you first analyze.</p>
        </Empty>
      ) : null}
      {invoices?.length ? (
        <ScrollTable label="Invoice table">
          <table aria-label="Invoice list">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Period</th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Status</th>
                <th scope="col">Due</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((inv) => (
                <tr key={inv.id}>
                  <th scope="row">{inv.number}</th>
                  <td>{formatPeriod(inv.period)}</td>
                  <td className="num">{formatInr(inv.total)}</td>
                  <td>
                    <span className={`badge status-${inv.status}`}>{inv.status}</span>
                  </td>
                  <td>{formatDate(inv.due_date)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      ) : null}
    </Section>
  );
}
