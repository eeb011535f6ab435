/** API Gateway v2 events for the drill's in-process calls to the real handlers. */
import type { APIGatewayProxyEventV2, KinesisStreamEvent } from 'aws-lambda';
import { kinesisStreamRecord } from '../../../local/lambda';

export interface ApiCall {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

export function apiEvent(c: ApiCall): APIGatewayProxyEventV2 {
  const method = c.method ?? 'GET';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...c.headers };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  return {
    version: '2.0',
    routeKey: `${method} ${c.path}`,
    rawPath: c.path,
    rawQueryString: '',
    headers,
    pathParameters: c.pathParameters,
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'dr-drill',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: c.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'dr-drill' },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${c.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/** One stream record as the event source mapping delivers it. */
export interface StreamRecord {
  sequenceNumber: string;
  arrivalMs: number;
  tick: { symbol: string; price: number; ts: string };
}

export const kinesisEvent = (records: readonly StreamRecord[]): KinesisStreamEvent => ({
  Records: records.map((r) =>
    kinesisStreamRecord({
      stream: 'price-ticks',
      shardId: 'shardId-000000000000',
      sequenceNumber: r.sequenceNumber,
      partitionKey: r.tick.symbol,
      data: Buffer.from(JSON.stringify(r.tick), 'utf8'),
      arrivalMs: r.arrivalMs,
    }),
  ),
});
