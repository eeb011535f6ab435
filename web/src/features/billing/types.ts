/**
 * GET /api/billing (`Bill`) and a row of GET /api/billing/invoices (`InvoiceSummary`), generated
 * from docs/openapi.json (`npm run api-types`), so the screens cannot drift from the document.
 */
export type { Bill, InvoiceSummary } from '../../lib/api-types.generated';
