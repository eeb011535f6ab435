/**
 * A local stand-in for RDS Proxy, between every function and PostgreSQL (npm start, the
 * integration tests, the bench), so that what the real proxy would refuse or pin fails here:
 *
 * - it refuses a startup message carrying a parameter RDS Proxy does not accept, with the
 *   proxy's FATAL 0A000 ErrorResponse (SPEC §7), and answers an SSLRequest with 'N' (local
 *   PostgreSQL speaks plain TCP; in AWS the proxy's TLS is verified, functions/platform/db.ts);
 * - it then passes bytes through untouched, reading the client's simple queries and Parse
 *   messages to detect and count the causes of session pinning per session (rds-proxy-protocol.ts).
 *
 * It does not pool or multiplex: one client connection is one server connection, like a
 * pinned session. Counters are read in-process (`stats()`) or, from another process such as a
 * vitest worker, over `GET /stats?database=&user=` on its 127.0.0.1 HTTP endpoint.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  errorResponse,
  frontendFramer,
  type PinCause,
  parseMessage,
  pinCauses,
  queryText,
  readStartupPacket,
  refusal,
} from './rds-proxy-protocol';

export interface PinnedSession {
  user: string;
  database: string;
  applicationName: string;
  causes: PinCause[];
  /** The start of the first statement that pinned it. */
  statement: string;
}

export interface ProxyStats {
  /** Sessions accepted (startup passed the parameter check). */
  sessions: number;
  /** Startup messages refused, with RDS Proxy's message. */
  refused: Array<{ user: string; database: string; message: string }>;
  pinnedSessions: number;
  /** How often each cause was seen (a pinned session may show several). */
  pins: Partial<Record<PinCause, number>>;
  /** The pinned sessions themselves (the latest 200). */
  pinned: PinnedSession[];
}

export interface StatsFilter {
  database?: string;
  user?: string;
}

export interface RdsProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's (user, password, database kept). */
  urlFor(url: string): string;
  /** Where another process reads `stats` (`GET {statsUrl}?database=…&user=…`). */
  statsUrl: string;
  stats(filter?: StatsFilter): ProxyStats;
  close(): Promise<void>;
}

interface Session {
  user: string;
  database: string;
  applicationName: string;
  causes: Map<PinCause, number>;
  statement: string;
}

const KEEP_PINNED = 200;
const KEEP_REFUSED = 200;

export async function startRdsProxy(options: {
  targetHost: string;
  targetPort: number;
  /** Default: any free port. */
  port?: number;
}): Promise<RdsProxy> {
  let sessionCount = new Map<string, number>();
  const pinned: Session[] = [];
  const refused: ProxyStats['refused'] = [];
  const sockets = new Set<Socket>();

  const onPin = (session: Session, causes: PinCause[], sql: string) => {
    if (session.causes.size === 0) {
      session.statement = sql.slice(0, 200);
      pinned.push(session);
      if (pinned.length > KEEP_PINNED) pinned.shift();
    }
    for (const c of causes) session.causes.set(c, (session.causes.get(c) ?? 0) + 1);
  };

  const handle = (client: Socket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onStartupData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      for (;;) {
        const packet = readStartupPacket(head);
        if (!packet) return;
        if (packet.kind === 'ssl' || packet.kind === 'gssenc') {
          head = head.subarray(packet.length);
          client.write('N');
          continue;
        }
        client.off('data', onStartupData);
        if (packet.kind === 'invalid') {
          client.end(errorResponse('08P01', 'invalid startup packet'));
          return;
        }
        const upstream = connect(options.targetPort, options.targetHost);
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        if (packet.kind !== 'startup') {
          upstream.end(head.subarray(0, packet.length)); // CancelRequest: the server's own keys
          return;
        }
        const p = packet.parameters;
        const user = p.user ?? '';
        const database = p.database ?? user;
        const message = refusal(p);
        if (message) {
          upstream.destroy();
          refused.push({ user, database, message });
          if (refused.length > KEEP_REFUSED) refused.shift();
          client.end(errorResponse('0A000', message));
          return;
        }
        const session: Session = {
          user,
          database,
          applicationName: p.application_name ?? '',
          causes: new Map(),
          statement: '',
        };
        const key = `${database}\0${user}`;
        sessionCount.set(key, (sessionCount.get(key) ?? 0) + 1);
        const frame = frontendFramer('QP', (type, body) => {
          if (type === 'Q') {
            const sql = queryText(body);
            const causes = pinCauses(sql);
            if (causes.length) onPin(session, causes, sql);
          } else {
            const { name, query } = parseMessage(body);
            const causes = pinCauses(query);
            if (name) causes.push('named-statement');
            if (causes.length) onPin(session, causes, query);
          }
        });
        upstream.write(head);
        client.on('data', frame);
        client.pipe(upstream);
        upstream.pipe(client);
        return;
      }
    };
    client.on('data', onStartupData);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const matches = (s: { user: string; database: string }, f: StatsFilter) =>
    (f.database === undefined || s.database === f.database) && (f.user === undefined || s.user === f.user);
  const stats = (filter: StatsFilter = {}): ProxyStats => {
    const pins: ProxyStats['pins'] = {};
    const mine = pinned.filter((s) => matches(s, filter));
    for (const s of mine) for (const [c, n] of s.causes) pins[c] = (pins[c] ?? 0) + n;
    let sessions = 0;
    for (const [key, n] of sessionCount) {
      const [database = '', user = ''] = key.split('\0');
      if (matches({ database, user }, filter)) sessions += n;
    }
    return {
      sessions,
      refused: refused.filter((r) => matches(r, filter)),
      pinnedSessions: mine.length,
      pins,
      pinned: mine.map((s) => ({
        user: s.user,
        database: s.database,
        applicationName: s.applicationName,
        causes: [...s.causes.keys()],
        statement: s.statement,
      })),
    };
  };

  const http: HttpServer = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/stats') {
      res.writeHead(404).end();
      return;
    }
    const filter: StatsFilter = {};
    const database = url.searchParams.get('database');
    const user = url.searchParams.get('user');
    if (database !== null) filter.database = database;
    if (user !== null) filter.user = user;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats(filter)));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const statsUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/stats`;

  return {
    port,
    statsUrl,
    urlFor(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    stats,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => http.close(() => resolve())),
      ]);
      sessionCount = new Map();
    },
  };
}

/** Read a stand-in's counters from another process (a vitest worker, the bench). */
export async function readRdsProxyStats(statsUrl: string, filter: StatsFilter = {}): Promise<ProxyStats> {
  const url = new URL(statsUrl);
  if (filter.database !== undefined) url.searchParams.set('database', filter.database);
  if (filter.user !== undefined) url.searchParams.set('user', filter.user);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`RDS Proxy stand-in stats: HTTP ${res.status}`);
  return (await res.json()) as ProxyStats;
}
