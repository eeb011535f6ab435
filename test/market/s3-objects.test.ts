/**
 * The S3 object reader (S3 is mocked with aws-sdk-client-mock: the AWS control plane cannot run
 * here): it asks for exactly the bucket and key it was given, returns the bytes, and refuses an
 * object over the limit, whether S3 states its length or the body turns out longer.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ObjectTooLargeError, s3Reader } from '../../functions/market/s3-objects';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

/** An object body as the SDK hands it over in Node.js: a readable stream. */
const body = (text: string) => Readable.from([Buffer.from(text)]) as never;

describe('s3Reader', () => {
  it('GETs the exact bucket and key and returns the object bytes', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('SYMBOL,SERIES\nTCS,EQ\n'), ContentLength: 21 });
    const bytes = await s3Reader(new S3Client({})).read('bucket', 'bhavcopy/2026/a b&c.csv', 1000);
    expect(new TextDecoder().decode(bytes)).toBe('SYMBOL,SERIES\nTCS,EQ\n');
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'bucket',
      Key: 'bhavcopy/2026/a b&c.csv',
    });
  });

  it('refuses an object whose stated length is over the limit', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('x'.repeat(5000)), ContentLength: 5000 });
    await expect(s3Reader(new S3Client({})).read('bucket', 'big.csv', 1000)).rejects.toBeInstanceOf(
      ObjectTooLargeError,
    );
  });

  it('refuses a body longer than the limit even when S3 stated no length', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('x'.repeat(5000)) });
    await expect(s3Reader(new S3Client({})).read('bucket', 'grew.csv', 1000)).rejects.toBeInstanceOf(
      ObjectTooLargeError,
    );
  });

  it("passes S3's own error on (a missing object is not an empty file)", async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    await expect(s3Reader(new S3Client({})).read('bucket', 'missing.csv', 1000)).rejects.toBeInstanceOf(
      NoSuchKey,
    );
  });
});
