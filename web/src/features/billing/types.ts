/** GET /api/billing and GET /api/billing/invoices (docs/openapi.json `Bill`, `InvoiceList`). */
export interface Bill {
  period: string;
  period_start: string;
  period_end: string;
  status: 'open' | 'closed' | 'issued' | 'overdue' | 'paid';
  due_date: string;
  currency: 'INR';
  line_items: Array<{
    feature: string;
    description: string;
    quantity: number;
    unit_price: number;
    amount: number;
  }>;
  subtotal: number;
}

export interface InvoiceSummary {
  id: string;
  number: string;
  period: string;
  status: 'issued' | 'overdue' | 'paid';
  currency: 'INR';
  subtotal: number;
  late_fee: number;
  total: number;
  issued_at: string;
  due_date: string;
  paid_at: string | null;
}
