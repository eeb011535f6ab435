/**
 * The HTTP API's routes: one table read by both the CDK API stack (one Lambda per entry) and
 * the local HTTP server, so the two can never disagree about what exists.
 */
export interface RouteDef {
  /** API Gateway route key, e.g. `POST /api/analyze`. Path parameters as `{name}`. */
  readonly routeKey: string;
  /** Handler module under `functions/`, without extension; it exports `handler`. */
  readonly entry: string;
  /** Routes under `/api/` need a Cognito access token. */
  readonly auth: boolean;
  /** Lambda sizing (the CDK stack applies these). */
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

export const ROUTES: readonly RouteDef[] = [
  { routeKey: 'GET /health', entry: 'health', auth: false, memoryMb: 256, timeoutSeconds: 5 },
  { routeKey: 'GET /api/market', entry: 'market', auth: true, memoryMb: 256, timeoutSeconds: 10 },
  { routeKey: 'POST /api/analyze', entry: 'analyze', auth: true, memoryMb: 512, timeoutSeconds: 10 },
  { routeKey: 'GET /api/usage', entry: 'usage', auth: true, memoryMb: 256, timeoutSeconds: 10 },
  { routeKey: 'GET /api/billing', entry: 'billing', auth: true, memoryMb: 256, timeoutSeconds: 10 },
  {
    routeKey: 'GET /api/billing/invoices',
    entry: 'invoice-list',
    auth: true,
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    routeKey: 'GET /api/billing/invoices/{id}',
    entry: 'invoice-get',
    auth: true,
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    routeKey: 'POST /api/admin/invoices/{id}/payment',
    entry: 'invoice-payment',
    auth: true,
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    routeKey: 'GET /api/admin/reconciliation',
    entry: 'reconciliation-get',
    auth: true,
    memoryMb: 256,
    timeoutSeconds: 10,
  },
];
