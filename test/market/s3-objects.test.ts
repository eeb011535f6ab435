/**
 * The S3 object reader against a local HTTP stand-in: a SigV4-signed GET of the encoded key,
 * and a refusal past the size limit without buffering the object.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectTooLargeError, s3Reader } from '../../functions/market/s3-objects';

const requests: IncomingMessage[] = [];
const server = createServer((req, res) => {
  requests.push(req);
  if (req.url?.includes('missing')) {
    res.writeHead(404).end();
    return;
  }
  const body = req.url?.includes('big') ? 'x'.repeat(5000) : 'SYMBOL,SERIES\nTCS,EQ\n';
  res.writeHead(200, { 'content-length': String(Buffer.byteLength(body)) }).end(body);
});
let origin: URL;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const env = {
  AWS_REGION: 'ap-south-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: 'session-token',
};

describe('s3Reader', () => {
  it('GETs the encoded key with a SigV4 signature for s3 in the region, and the session token', async () => {
    const reader = s3Reader(env, () => origin);
    const bytes = await reader.read('bucket', 'bhavcopy/2026/a b&c.csv', 1000);
    expect(new TextDecoder().decode(bytes)).toBe('SYMBOL,SERIES\nTCS,EQ\n');
    const req = requests.at(-1);
    expect(req?.url).toBe('/bhavcopy/2026/a%20b%26c.csv');
    expect(req?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-south-1\/s3\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-content-sha256[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(req?.headers['x-amz-security-token']).toBe('session-token');
  });

  it('refuses an object over the limit by its length, and an error status as an error', async () => {
    const reader = s3Reader(env, () => origin);
    await expect(reader.read('bucket', 'bhavcopy/big.csv', 1000)).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(reader.read('bucket', 'bhavcopy/missing.csv', 1000)).rejects.toThrow(/HTTP 404/);
  });
});
