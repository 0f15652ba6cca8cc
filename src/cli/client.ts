/**
 * A thin SigV4-signing HTTP client for the CLI (the server speaks the AWS wire protocol, so the CLI
 * is just another AWS client), plus credential and endpoint resolution the AWS way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../core/sha256.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Where they came from, for error messages. */
  source: string;
}

export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: Credentials;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Encode a path label the way the AWS SDKs do (every reserved character, including `/`). */
export function encodeLabel(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function callApi(
  cfg: ClientConfig,
  method: string,
  path: string,
  opts: { query?: Record<string, string | undefined>; body?: unknown } = {},
): Promise<unknown> {
  const url = new URL(cfg.endpoint);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query[k] = v;
  const body = opts.body === undefined ? '' : JSON.stringify(opts.body);
  const headers: Record<string, string> = { host: url.host };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const signer = new SignatureV4({
    credentials: cfg.credentials,
    region: cfg.region,
    service: 'bedrock',
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path,
    query,
    headers,
    body,
  });
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeLabel(k)}=${encodeLabel(v)}`)
    .join('&');
  let res: Response;
  try {
    res = await fetch(`${url.origin}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: signed.headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    });
  } catch (e) {
    throw new ApiError(
      'ConnectionError',
      `Cannot reach Parapet at ${cfg.endpoint} (${e instanceof Error ? (e.cause as Error | undefined)?.message ?? e.message : String(e)}). Is \`parapet serve\` running?`,
      0,
    );
  }
  const text = await res.text();
  const parsed: unknown = text ? safeJson(text) : {};
  if (!res.ok) {
    const code = (res.headers.get('x-amzn-errortype') ?? 'UnknownError').split(':')[0] ?? 'UnknownError';
    const message = (parsed as { message?: string } | undefined)?.message ?? text;
    throw new ApiError(code, message, res.status);
  }
  return parsed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

export interface ResolveOptions {
  endpoint?: string;
  region?: string;
  profile?: string;
  dataDir?: string;
  account?: string;
}

interface DataDirCredentials {
  accounts?: Array<{ accountId: string; name: string; role: string; accessKeyId: string; secretAccessKey: string }>;
  region?: string;
  endpoint?: string;
}

function readIni(file: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (!existsSync(file)) return out;
  let section: Record<string, string> | undefined;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^\[(?:profile\s+)?([^\]]+)\]$/.exec(line);
    if (m?.[1]) {
      section = out[m[1].trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Credentials, first found wins: `--profile`; `--account` (from credentials.json);
 * PARAPET_ACCESS_KEY_ID/PARAPET_SECRET_ACCESS_KEY;
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; AWS_PROFILE; the data directory's credentials.json
 * (the management account, or `--account`).
 */
export function resolveClientConfig(opts: ResolveOptions, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const dataDir = resolve(opts.dataDir ?? env.PARAPET_DATA_DIR ?? '.parapet');
  const credFile = join(dataDir, 'credentials.json');
  const local: DataDirCredentials = existsSync(credFile)
    ? (JSON.parse(readFileSync(credFile, 'utf8')) as DataDirCredentials)
    : {};

  const fromProfile = (name: string): Credentials => {
    const creds = readIni(env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'))[name];
    const id = creds?.aws_access_key_id;
    const secret = creds?.aws_secret_access_key;
    if (!id || !secret) throw new Error(`Profile '${name}' has no aws_access_key_id/aws_secret_access_key.`);
    return { accessKeyId: id, secretAccessKey: secret, sessionToken: creds.aws_session_token, source: `profile ${name}` };
  };

  const fromDataDir = (): Credentials => {
    const accounts = local.accounts ?? [];
    const acct = opts.account
      ? accounts.find((a) => a.accountId === opts.account || a.name === opts.account)
      : (accounts.find((a) => a.role === 'management') ?? accounts[0]);
    if (!acct)
      throw new Error(
        opts.account
          ? `Account '${opts.account}' is not in ${credFile}.`
          : `No credentials: pass --profile, set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run \`parapet serve\` once so ${credFile} exists.`,
      );
    return { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey, source: credFile };
  };

  let credentials: Credentials | undefined;
  if (opts.profile) credentials = fromProfile(opts.profile);
  else if (opts.account) credentials = fromDataDir();
  else if (env.PARAPET_ACCESS_KEY_ID && env.PARAPET_SECRET_ACCESS_KEY)
    credentials = {
      accessKeyId: env.PARAPET_ACCESS_KEY_ID,
      secretAccessKey: env.PARAPET_SECRET_ACCESS_KEY,
      source: 'PARAPET_ACCESS_KEY_ID',
    };
  else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)
    credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
      source: 'AWS_ACCESS_KEY_ID',
    };
  else if (env.AWS_PROFILE) credentials = fromProfile(env.AWS_PROFILE);
  else credentials = fromDataDir();

  const endpoint =
    opts.endpoint ?? env.PARAPET_ENDPOINT ?? env.AWS_ENDPOINT_URL_BEDROCK ?? local.endpoint ?? 'http://127.0.0.1:8787';
  const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? local.region ?? 'us-east-1';
  return { endpoint, region, credentials };
}
