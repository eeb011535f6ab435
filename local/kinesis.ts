/**
 * Local Kinesis: the `kinesalite` emulator on 127.0.0.1, and a client for it.
 * `@aws-sdk/client-kinesis` speaks HTTP/2 by default; kinesalite needs HTTP/1.1.
 */
import type { Server } from 'node:http';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';

export interface LocalKinesis {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startKinesalite(options: { port: number; dataDir?: string }): Promise<LocalKinesis> {
  const server: Server = kinesalite({
    path: options.dataDir,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 50,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    // Release its store (a LevelDB folder stays locked while open), so a start on another port
    // (local/ports.ts withFreePorts) can open it again; the error (EADDRINUSE, …) is the caller's.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A Kinesis client for a local endpoint (dummy credentials) or, without one, for AWS. */
export function kinesisClient(endpoint?: string): KinesisClient {
  if (!endpoint) return new KinesisClient({});
  return new KinesisClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'ap-south-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 2,
  });
}

/** Create `stream` with `shards` shards unless it exists; wait until it is ACTIVE. */
export async function ensureStream(client: KinesisClient, stream: string, shards = 2): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  for (let i = 0; i < 50; i++) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Stream ${stream} did not become ACTIVE`);
}
