/**
 * A thin SigV4-signing HTTP client for the CLI (the server speaks the AWS wire protocols, so the CLI is just
 * another AWS client): restJson1 (bedrock, the admin API), awsJson1_1 (organizations) and awsQuery (sts).
 * Credential and endpoint resolution lives in config.ts.
 */
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

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** The SigV4 service name (default `bedrock`; the admin API is `parapet`). */
  service?: string;
}

/** One signed HTTP exchange, protocol-agnostic: the callers shape the body and read the answer. */
export async function send(
  cfg: ClientConfig,
  req: { method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body: string; service: string },
): Promise<{ status: number; ok: boolean; headers: Headers; text: string }> {
  const url = new URL(cfg.endpoint);
  const query = req.query ?? {};
  const headers: Record<string, string> = { host: url.host, ...req.headers };
  // SignatureV4 adds x-amz-security-token itself when the credentials carry a sessionToken (AssumeRole).
  const signer = new SignatureV4({
    credentials: cfg.credentials,
    region: cfg.region,
    service: req.service,
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign({
    method: req.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: req.path,
    query,
    headers,
    body: req.body,
  });
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeLabel(k)}=${encodeLabel(v)}`)
    .join('&');
  let res: Response;
  try {
    res = await fetch(`${url.origin}${req.path}${qs ? `?${qs}` : ''}`, {
      method: req.method,
      headers: signed.headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
    });
  } catch (e) {
    throw new ApiError(
      'ConnectionError',
      `Cannot reach Parapet at ${cfg.endpoint} (${e instanceof Error ? (e.cause as Error | undefined)?.message ?? e.message : String(e)}). Is \`parapet serve\` running?`,
      0,
    );
  }
  return { status: res.status, ok: res.ok, headers: res.headers, text: await res.text() };
}

/** The error code of a JSON error: `x-amzn-errortype`, else `__type` (either may carry a `namespace#` or `:detail`). */
export function jsonErrorCode(headers: Headers, parsed: unknown): string {
  const raw = headers.get('x-amzn-errortype') ?? (parsed as { __type?: string } | undefined)?.__type ?? 'UnknownError';
  return raw.split(':')[0]?.split('#').at(-1) || 'UnknownError';
}

/** A restJson1 call; also returns the response headers (e.g. `x-parapet-warnings`). */
export async function callApiWithHeaders(
  cfg: ClientConfig,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<{ body: unknown; headers: Headers }> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query[k] = v;
  const body = opts.body === undefined ? '' : JSON.stringify(opts.body);
  const res = await send(cfg, {
    method,
    path,
    query,
    headers: opts.body !== undefined ? { 'content-type': 'application/json' } : {},
    body,
    service: opts.service ?? 'bedrock',
  });
  const parsed: unknown = res.text ? safeJson(res.text) : {};
  if (!res.ok) {
    const message = (parsed as { message?: string; Message?: string } | undefined)?.message ??
      (parsed as { Message?: string } | undefined)?.Message ?? res.text;
    throw new ApiError(jsonErrorCode(res.headers, parsed), message, res.status);
  }
  return { body: parsed, headers: res.headers };
}

export async function callApi(
  cfg: ClientConfig,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<unknown> {
  return (await callApiWithHeaders(cfg, method, path, opts)).body;
}

/** An awsJson1_1 call (Organizations): POST / with `X-Amz-Target: {prefix}.{operation}`. */
export async function callJsonTarget(cfg: ClientConfig, service: string, target: string, body: unknown = {}): Promise<unknown> {
  const res = await send(cfg, {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body: JSON.stringify(body),
    service,
  });
  const parsed: unknown = res.text ? safeJson(res.text) : {};
  if (!res.ok) {
    const p = parsed as { message?: string; Message?: string } | undefined;
    throw new ApiError(jsonErrorCode(res.headers, parsed), p?.message ?? p?.Message ?? res.text, res.status);
  }
  return parsed;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return XML_ENTITIES[e] ?? m;
  });
}

/**
 * The text of the first `<tag>` element in `xml` (undefined when absent; '' for `<tag/>`). The STS answers are
 * small and flat enough that a full XML parser would add nothing but a dependency.
 */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`).exec(xml);
  if (!m) return undefined;
  return unescapeXml(m[1] ?? '');
}

/** An awsQuery call (STS): form-encoded `Action=…&Version=…`, XML answer; XML errors become ApiErrors. */
export async function callQuery(
  cfg: ClientConfig,
  service: string,
  action: string,
  version: string,
  params: Record<string, string> = {},
): Promise<string> {
  const form = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  const res = await send(cfg, {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form,
    service,
  });
  if (!res.ok) {
    const code = xmlText(res.text, 'Code');
    if (code !== undefined) throw new ApiError(code, xmlText(res.text, 'Message') ?? res.text, res.status);
    // Some failures (e.g. a proxy) answer in JSON or plain text.
    const parsed = safeJson(res.text);
    throw new ApiError(jsonErrorCode(res.headers, parsed), (parsed as { message?: string }).message ?? res.text, res.status);
  }
  return res.text;
}

const STS_VERSION = '2011-06-15';

export interface AssumedCredentials extends Credentials {
  sessionToken: string;
  expiration?: string;
  assumedRoleArn?: string;
}

/** STS AssumeRole with `cfg`'s credentials. */
export async function assumeRole(cfg: ClientConfig, roleArn: string, sessionName: string): Promise<AssumedCredentials> {
  const xml = await callQuery(cfg, 'sts', 'AssumeRole', STS_VERSION, { RoleArn: roleArn, RoleSessionName: sessionName });
  const creds = xmlText(xml, 'Credentials') ?? '';
  const accessKeyId = xmlText(creds, 'AccessKeyId');
  const secretAccessKey = xmlText(creds, 'SecretAccessKey');
  const sessionToken = xmlText(creds, 'SessionToken');
  if (!accessKeyId || !secretAccessKey || !sessionToken)
    throw new ApiError('InvalidResponse', `AssumeRole of ${roleArn} answered without credentials.`, 200);
  const expiration = xmlText(creds, 'Expiration');
  const assumedRoleArn = xmlText(xmlText(xml, 'AssumedRoleUser') ?? '', 'Arn');
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    source: `AssumeRole ${roleArn}`,
    ...(expiration ? { expiration } : {}),
    ...(assumedRoleArn ? { assumedRoleArn } : {}),
  };
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export async function getCallerIdentity(cfg: ClientConfig): Promise<CallerIdentity> {
  const xml = await callQuery(cfg, 'sts', 'GetCallerIdentity', STS_VERSION);
  return { account: xmlText(xml, 'Account') ?? '', arn: xmlText(xml, 'Arn') ?? '', userId: xmlText(xml, 'UserId') ?? '' };
}

/** Organizations DescribeOrganization: the caller's organization. */
export async function describeOrganization(cfg: ClientConfig): Promise<{ Id: string; MasterAccountId?: string; Arn?: string }> {
  const r = (await callJsonTarget(cfg, 'organizations', 'AWSOrganizationsV20161128.DescribeOrganization', {})) as {
    Organization?: { Id: string; MasterAccountId?: string; Arn?: string };
  };
  if (!r.Organization?.Id) throw new ApiError('InvalidResponse', 'DescribeOrganization answered without an organization.', 200);
  return r.Organization;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
