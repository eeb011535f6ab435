/**
 * A local stand-in for the Flexprice API on 127.0.0.1 (random port), answering the way the
 * `@flexprice/sdk` response schemas expect: 202 `{message}` for POST /v1/events/bulk, 201 a
 * customer for POST /v1/customers (409 when the external id exists), 200/404 for
 * GET /v1/customers/external/{id}. It records every request and, like Flexprice, deduplicates
 * accepted events on (event_id, timestamp). Failures are injected on demand, bounded in count,
 * and a hang lasts at most `hangMs` before the socket is dropped.
 *
 * Reading back (the reconciliation): POST /v1/events/query and POST /v1/events/usage answer
 * from the events it stored, in Flexprice's shapes (see flexprice-standin-reads.ts). `loseNext(n)` makes it
 * acknowledge the next n events with 202 and never store them, as Flexprice can.
 *
 * Every error body echoes the request's URL and API key, as a careless real server might: a
 * test asserting that neither reaches the outbox, the logs or /health can then really fail.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerQuery, answerUsage, EVENTS_QUERY_PATH, EVENTS_USAGE_PATH } from './flexprice-standin-reads';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface StandinEvent {
  event_id: string;
  event_name: string;
  external_customer_id: string;
  properties: Record<string, string>;
  timestamp: string;
  source?: string;
}

export type FailureMode = { status: 429 | 400 | 401 | 500 | 503 } | { hang: true };

interface PlannedFailure {
  path: string;
  mode: FailureMode;
  remaining: number;
}

export interface FlexpriceStandin {
  /** Base URL including `/v1`, as FLEXPRICE_API_URL expects. */
  url: string;
  requests: RecordedRequest[];
  /** Every event in every accepted (202) bulk request, duplicates included. */
  accepted: StandinEvent[];
  /** Accepted events deduplicated on (event_id, timestamp), as Flexprice counts them. */
  counted(): StandinEvent[];
  customers: Map<string, { id: string; external_id: string }>;
  /** Events it stored (what events/query and events/usage read): accepted minus lost, deduplicated. */
  stored: StandinEvent[];
  /** Acknowledge the next `count` accepted events with 202 but never store them. */
  loseNext(count?: number): void;
  /** Fail the next `times` requests to `path` (default: the bulk endpoint). */
  failNext(mode: FailureMode, times?: number, path?: string): void;
  /**
   * Hold the answer to the next request to `path` (default: the bulk endpoint) until `release()`:
   * a slow provider on demand. Whether it fails is decided when it arrives. `arrived` resolves
   * when it is held. Released at the latest by `close()`.
   */
  holdNext(path?: string): { arrived: Promise<void>; release(): void };
  reset(): void;
  close(): Promise<void>;
}

export const BULK_PATH = '/v1/events/bulk';
export const CUSTOMERS_PATH = '/v1/customers';

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A Flexprice-shaped error body whose message repeats the request's full URL and API key. */
function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string) {
  const url = `http://${req.headers.host}${req.url}`;
  const echo = `${message} (${req.method} ${url}, x-api-key ${String(req.headers['x-api-key'])})`;
  send(res, status, { success: false, error: { message: echo } });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFlexpriceStandin(options: { hangMs?: number } = {}): Promise<FlexpriceStandin> {
  const hangMs = options.hangMs ?? 2_000;
  const requests: RecordedRequest[] = [];
  const accepted: StandinEvent[] = [];
  const customers = new Map<string, { id: string; external_id: string }>();
  const failures: PlannedFailure[] = [];
  const stored: StandinEvent[] = [];
  const storedKeys = new Set<string>();
  let toLose = 0;
  const hanging = new Set<NodeJS.Timeout>();
  const holds: Array<{ path: string; arrive(): void; released: Promise<void>; release(): void }> = [];
  const releases = new Set<() => void>();

  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = await readBody(req);
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    const planned = failures.find((f) => f.remaining > 0 && path.startsWith(f.path));
    if (planned) planned.remaining -= 1;
    const hold = holds.findIndex((h) => path === h.path);
    if (hold >= 0) {
      const [held] = holds.splice(hold, 1);
      held?.arrive();
      await held?.released;
    }
    if (planned) {
      if ('hang' in planned.mode) {
        const timer = setTimeout(() => {
          hanging.delete(timer);
          req.socket.destroy();
        }, hangMs);
        hanging.add(timer);
        return;
      }
      const status = planned.mode.status;
      return sendError(req, res, status, `injected ${status}`);
    }

    if (req.method === 'POST' && path === BULK_PATH) {
      const events = (body as { events?: StandinEvent[] } | null)?.events;
      if (!Array.isArray(events) || events.length === 0 || events.length > 1000) {
        return sendError(req, res, 400, 'events must be 1..1000');
      }
      accepted.push(...events);
      for (const e of events) {
        const key = `${e.event_id}|${e.timestamp}`;
        if (toLose > 0) toLose -= 1;
        else if (!storedKeys.has(key)) {
          storedKeys.add(key);
          stored.push(e);
        }
      }
      return send(res, 202, { message: 'Events accepted for processing' });
    }
    if (req.method === 'POST' && path === EVENTS_QUERY_PATH) {
      const [status, answer] = answerQuery(stored, body);
      return send(res, status, answer);
    }
    if (req.method === 'POST' && path === EVENTS_USAGE_PATH) {
      const [status, answer] = answerUsage(stored, body);
      return send(res, status, answer);
    }
    if (req.method === 'POST' && path === CUSTOMERS_PATH) {
      const externalId = (body as { external_id?: string } | null)?.external_id;
      if (!externalId) return sendError(req, res, 400, 'external_id is required');
      if (customers.has(externalId)) {
        return sendError(req, res, 409, 'customer with this external id already exists');
      }
      const customer = { id: `cust_${customers.size + 1}`, external_id: externalId };
      customers.set(externalId, customer);
      return send(res, 201, { ...customer, name: externalId, status: 'published' });
    }
    const external = /^\/v1\/customers\/external\/(.+)$/.exec(path);
    if (req.method === 'GET' && external?.[1]) {
      const customer = customers.get(decodeURIComponent(external[1]));
      return customer ? send(res, 200, customer) : sendError(req, res, 404, 'customer not found');
    }
    return sendError(req, res, 404, 'no such route');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const standin: FlexpriceStandin = {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    accepted,
    customers,
    stored,
    loseNext(count = 1) {
      toLose += count;
    },
    counted() {
      const seen = new Map<string, StandinEvent>();
      for (const e of accepted) seen.set(`${e.event_id}|${e.timestamp}`, e);
      return [...seen.values()];
    },
    failNext(mode, times = 1, path = BULK_PATH) {
      failures.push({ path, mode, remaining: times });
    },
    holdNext(path = BULK_PATH) {
      let arrive = () => {};
      let release = () => {};
      const arrived = new Promise<void>((r) => {
        arrive = r;
      });
      const released = new Promise<void>((r) => {
        release = r;
      });
      releases.add(release);
      holds.push({ path, arrive, released, release });
      return { arrived, release };
    },
    reset() {
      for (const release of releases) release();
      releases.clear();
      holds.length = 0;
      requests.length = 0;
      accepted.length = 0;
      failures.length = 0;
      customers.clear();
      stored.length = 0;
      storedKeys.clear();
      toLose = 0;
    },
    async close() {
      for (const release of releases) release();
      for (const t of hanging) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standin;
}
