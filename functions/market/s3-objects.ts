/**
 * Reading an uploaded object from S3 (the bhavcopy import function), through the VPC's S3
 * gateway endpoint, with the AWS SDK's S3 client built once per container. The size is checked
 * twice: from the object's ContentLength before its body is read, and while reading, so an
 * object that grew after its notification cannot make the function buffer more than the limit.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface ObjectReader {
  /** The object's bytes; refuses (throws) past `maxBytes` without reading further. */
  read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array>;
}

export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
}

/** The reader of a Lambda function: region and credentials from the runtime (the SDK's defaults). */
export function s3Reader(client: S3Client = new S3Client({})): ObjectReader {
  return {
    async read(bucket, key, maxBytes) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: AbortSignal.timeout(30_000),
      });
      const body = response.Body as AsyncIterable<Uint8Array> | undefined;
      if ((response.ContentLength ?? 0) > maxBytes) {
        (body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new ObjectTooLargeError(
          `s3://${bucket}/${key} is ${response.ContentLength} bytes, over ${maxBytes}`,
        );
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body ?? []) {
        size += chunk.length;
        if (size > maxBytes) {
          (body as { destroy?: () => void }).destroy?.();
          throw new ObjectTooLargeError(`s3://${bucket}/${key} is over ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}
