/**
 * The HTTP API's routes: one table read by the CDK API stack (one Lambda per entry, and the
 * gateway authorizer of each route), the local HTTP server and the functions themselves (how
 * each one authenticates), so none of them can disagree about what exists or who may call it.
 */

/**
 * How a route authenticates (SPEC §3, §9; design in docs/deploy.md "Authentication"):
 * - `public`: nobody is asked (`/health`).
 * - `jwt`: a Cognito access token only. In AWS the API Gateway JWT authorizer gates the route
 *   (it answers its own 401 to anything else, API keys included); the function verifies again
 *   and refuses an API key with 403.
 * - `jwt-or-key`: a Cognito access token or one of the caller's API keys. No gateway authorizer:
 *   the function verifies the token offline or looks the key up by its hash, so it can answer
 *   503 when the key store is down and a revoked key stops at once.
 */
export type RouteAuth = 'public' | 'jwt' | 'jwt-or-key';

export interface RouteDef {
  /** API Gateway route key, e.g. `POST /api/analyze`. Path parameters as `{name}`. */
  readonly routeKey: string;
  /** Handler module under `functions/`, without extension; it exports `handler`. */
  readonly entry: string;
  readonly auth: RouteAuth;
  /** Lambda sizing (the CDK stack applies these). */
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

const route = (routeKey: string, entry: string, auth: RouteAuth, memoryMb = 256, timeoutSeconds = 10) =>
  ({ routeKey, entry, auth, memoryMb, timeoutSeconds }) as const satisfies RouteDef;

export const ROUTES: readonly RouteDef[] = [
  route('GET /health', 'health', 'public', 256, 5),
  // Uptime checkers use HEAD. An HTTP API routes HEAD only where a HEAD route exists; the
  // local server answers HEAD as GET everywhere. One function serves both /health routes.
  route('HEAD /health', 'health', 'public', 256, 5),
  route('GET /api/market', 'market', 'jwt-or-key'),
  route('GET /api/market/{symbol}/history', 'market-history', 'jwt-or-key'),
  route('POST /api/analyze', 'analyze', 'jwt-or-key', 512),
  route('GET /api/usage', 'usage', 'jwt-or-key'),
  route('GET /api/billing', 'billing', 'jwt-or-key'),
  route('GET /api/billing/invoices', 'invoice-list', 'jwt-or-key'),
  route('GET /api/billing/invoices/{id}', 'invoice-get', 'jwt-or-key'),
  route('GET /api/analyses', 'analysis-list', 'jwt-or-key'),
  route('GET /api/analyses/{id}', 'analysis-get', 'jwt-or-key'),
  route('DELETE /api/analyses/{id}', 'analysis-delete', 'jwt-or-key'),
  route('POST /api/keys', 'key-create', 'jwt'),
  route('GET /api/keys', 'key-list', 'jwt'),
  route('DELETE /api/keys/{id}', 'key-revoke', 'jwt'),
  route('GET /api/settings/rules', 'rules-get', 'jwt'),
  route('PUT /api/settings/rules', 'rules-put', 'jwt'),
  route('POST /api/admin/invoices/{id}/payment', 'invoice-payment', 'jwt'),
  route('GET /api/admin/reconciliation', 'reconciliation-get', 'jwt'),
  // Reads Flexprice page by page and may adopt a day's events: the reconcile Lambda's budget.
  route('POST /api/admin/reconciliation', 'reconciliation-post', 'jwt', 512, 29),
];

/** Paths where an API key must never work (SPEC §9): a leaked key cannot mint keys or change settings. */
const JWT_ONLY = /^\/api\/(keys|settings|admin)(\/|$)/;

/** Why a route table is unsafe, or null. Checked by the CDK stack and by the functions at cold start. */
export function routeProblem(def: RouteDef): string | null {
  const path = def.routeKey.split(' ')[1] ?? '';
  if (path.startsWith('/api/') && def.auth === 'public') {
    return `${def.routeKey}: every /api/* route needs a credential (SPEC §3)`;
  }
  if (JWT_ONLY.test(path) && def.auth !== 'jwt') {
    return `${def.routeKey}: API keys are refused on /api/keys*, /api/settings* and /api/admin/* (SPEC §9)`;
  }
  return null;
}

/**
 * The authentication of the routes served by handler module `entry` (an entry serving two
 * routes, like GET and HEAD /health, serves them with one authentication).
 */
export function authOf(entry: string): RouteAuth {
  const def = ROUTES.find((r) => r.entry === entry);
  if (!def) throw new Error(`No route in functions/routes.ts has entry "${entry}"`);
  const problem = routeProblem(def);
  if (problem) throw new Error(problem);
  return def.auth;
}
