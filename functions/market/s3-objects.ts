/**
 * Reading an S3 object from Lambda: a SigV4-signed GET (the AWS SDK's own signer,
 * @smithy/signature-v4) with the function's credentials from its environment, through the
 * VPC's S3 gateway endpoint. Why not @aws-sdk/client-s3: it is not a dependency of this project
 * yet; adding it replaces this file with a GetObjectCommand (the ObjectReader interface stays).
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ObjectReader {
  /** The object's bytes; refuses (throws) past `maxBytes` without reading further. */
  read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array>;
}

export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
}

/** The hash class the signer wants, from node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret
      ? createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer))
      : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * The reader of a Lambda function: region and credentials from the runtime's environment.
 * `origin` replaces S3's virtual-hosted origin (a local stand-in in tests).
 */
export function s3Reader(
  env: NodeJS.ProcessEnv = process.env,
  origin: (bucket: string, region: string) => URL = (bucket, region) =>
    new URL(`https://${bucket}.s3.${region}.amazonaws.com`),
): ObjectReader {
  const region = env.AWS_REGION ?? 'ap-south-1';
  const signer = new SignatureV4({
    service: 's3',
    region,
    sha256: Sha256,
    // Lambda's temporary credentials; read per request so a refreshed set is picked up.
    credentials: async () => ({
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: env.AWS_SESSION_TOKEN,
    }),
    uriEscapePath: false, // S3 signs the path as sent, once encoded
  });
  return {
    async read(bucket, key, maxBytes) {
      const base = origin(bucket, region);
      const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
      const signed = await signer.sign({
        method: 'GET',
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port ? Number(base.port) : undefined,
        path,
        headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      });
      const { host: _host, ...headers } = signed.headers; // fetch sets Host itself
      const response = await fetch(`${base.origin}${path}`, {
        headers,
        signal: AbortSignal.timeout(30_000),
      });
      if (!response.ok) throw new Error(`S3 GET s3://${bucket}/${key}: HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      if (length > maxBytes) {
        await response.body?.cancel();
        throw new ObjectTooLargeError(`s3://${bucket}/${key} is ${length} bytes, over ${maxBytes}`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length > maxBytes)
        throw new ObjectTooLargeError(`s3://${bucket}/${key} is over ${maxBytes} bytes`);
      return bytes;
    },
  };
}
