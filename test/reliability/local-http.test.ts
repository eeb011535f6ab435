/**
 * The local API Gateway and odd requests (issue 8, defect 7), and a handler that outlives its
 * route's timeout (defect 1): each gets a 4xx with a problem body, or what API Gateway answers
 * in AWS for the same case (docs/api.md).
 */
import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi } from '../../local/http-server';
import { useTestDatabase } from '../helpers/db';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
let api: Awaited<ReturnType<typeof startLocalApi>>;
let slow: Awaited<ReturnType<typeof startLocalApi>>;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request (fetch would refuse some of these before sending). */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Node's client frames a GET body only with an explicit length (as curl -d sends one).
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('no answer')));
    req.end(body);
  });
}

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  api = await startLocalApi({ port: 0 });
  // A server whose `market` handler never answers, with every route timing out after 300 ms.
  slow = await startLocalApi({
    port: 0,
    routeTimeoutMs: 300,
    loadHandler: async () => (_event: APIGatewayProxyEventV2) => new Promise(() => {}),
  });
});

afterAll(async () => {
  await api?.stop();
  await slow?.stop();
});

function expectProblem(res: Answer, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(JSON.parse(res.body)).toMatchObject({ status, title: expect.any(String) });
}

describe('the local API with odd requests', () => {
  it('a malformed percent-escape in a path parameter is a 400 problem, not a 502', async () => {
    const res = await send(api.url, 'GET', '/api/billing/invoices/%E0%A4%A', {
      authorization: `Bearer ${await token('odd')}`,
    });
    expectProblem(res, 400);
  });

  it('a 134 KB header is a 431 with a problem body', async () => {
    const res = await send(api.url, 'GET', '/health', { 'x-padding': 'x'.repeat(134_000) });
    expectProblem(res, 431);
  });

  it('HEAD /health answers like GET, without a body', async () => {
    const res = await send(api.url, 'HEAD', '/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toBe('');
  });

  it('a GET with a 70 KB body is answered (the body is ignored), not a 413', async () => {
    const res = await send(
      api.url,
      'GET',
      '/api/market?symbols=TCS',
      { authorization: `Bearer ${await token('odd')}`, 'content-type': 'application/json' },
      JSON.stringify({ pad: 'x'.repeat(70_000) }),
    );
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body).map((r: { symbol: string }) => r.symbol)).toEqual(['TCS']);
  });

  it('a POST body over 64 KiB is still a 413 problem', async () => {
    const res = await send(
      api.url,
      'POST',
      '/api/analyze',
      { authorization: `Bearer ${await token('odd')}`, 'content-type': 'application/json' },
      JSON.stringify({ portfolio: [{ symbol: 'TCS', quantity: 1 }], pad: 'x'.repeat(70_000) }),
    );
    expectProblem(res, 413);
  });

  it('a handler that runs past its timeout is answered as API Gateway answers a function timeout', async () => {
    const res = await send(slow.url, 'GET', '/api/market');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ message: 'Internal Server Error' });
  });
});
