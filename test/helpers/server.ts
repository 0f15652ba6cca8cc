/** Starts a real server on a free port in a temporary data directory, for end-to-end tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/serve.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  accountId: string;
  bedrock(region?: string, creds?: { accessKeyId: string; secretAccessKey: string }): BedrockClient;
  /** The runtime client over its default transport (HTTP/2, h2c prior knowledge). */
  runtime(region?: string, creds?: AwsCreds): BedrockRuntimeClient;
  /** The runtime client forced onto HTTP/1.1. */
  runtimeHttp1(region?: string): BedrockRuntimeClient;
  /**
   * Any AWS SDK v3 client against this server (e.g. `OrganizationsClient`, `STSClient`, `IAMClient`), with the
   * management account's key unless `creds` (which may carry a `sessionToken`) are given.
   */
  client<C extends { destroy(): void }>(
    Ctor: new (config: {
      region: string;
      endpoint: string;
      credentials: AwsCreds;
      maxAttempts: number;
    }) => C,
    creds?: AwsCreds,
    region?: string,
  ): C;
  stop(): Promise<void>;
}

export interface AwsCreds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * `opts` may set the models file, quotas, gateway settings and external detectors. Quotas are off unless a test sets them, so that
 * fast test loops are never throttled by Bedrock's default per-second limits.
 */
export async function startTestServer(
  opts: Pick<ServeOptions, 'models' | 'quotas' | 'gateway' | 'demo' | 'detectors' | 'consoleDir' | 'consoleSessionTtlMs' | 'clock' | 'database' | 'databaseSchema' | 'databaseTimeouts' | 'masterKey' | 'redis' | 'log'> = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-test-'));
  const server = await startServer({ port: 0, dataDir, quotas: { disabled: true }, ...opts });
  const mgmt = server.credentials.accounts.find((a) => a.role === 'management');
  if (!mgmt) throw new Error('no management account was bootstrapped');
  const credentials = { accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey };
  const clients: Array<{ destroy(): void }> = [];
  const track = <T extends { destroy(): void }>(c: T): T => {
    clients.push(c);
    return c;
  };
  return {
    server,
    dataDir,
    credentials,
    accountId: mgmt.accountId,
    bedrock: (region = 'us-east-1', creds = credentials) =>
      track(new BedrockClient({ region, endpoint: server.url, credentials: creds, maxAttempts: 1 })),
    runtime: (region = 'us-east-1', creds: AwsCreds = credentials) =>
      track(new BedrockRuntimeClient({ region, endpoint: server.url, credentials: creds, maxAttempts: 1 })),
    runtimeHttp1: (region = 'us-east-1') =>
      track(
        new BedrockRuntimeClient({
          region,
          endpoint: server.url,
          credentials,
          maxAttempts: 1,
          requestHandler: new NodeHttpHandler(),
        }),
      ),
    client: (Ctor, creds = credentials, region = 'us-east-1') =>
      track(new Ctor({ region, endpoint: server.url, credentials: creds, maxAttempts: 1 })),
    async stop() {
      for (const c of clients) c.destroy();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
