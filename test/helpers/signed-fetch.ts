/** A SigV4-signed fetch for the routes no AWS SDK client covers (Parapet's admin API, raw checks of headers). */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/core/sha256.ts';
import type { AwsCreds } from './server.ts';

export interface SignedResponse {
  status: number;
  headers: Headers;
  errorType: string | null;
  body: Record<string, unknown>;
}

export async function signedFetch(
  endpoint: string,
  creds: AwsCreds,
  o: { method?: string; path: string; query?: Record<string, string>; body?: unknown; service?: string; region?: string },
): Promise<SignedResponse> {
  const url = new URL(endpoint);
  const method = o.method ?? 'GET';
  const body = o.body === undefined ? '' : JSON.stringify(o.body);
  const signer = new SignatureV4({
    credentials: creds,
    region: o.region ?? 'us-east-1',
    service: o.service ?? 'parapet',
    sha256: Sha256,
    uriEscapePath: true,
  });
  const query = o.query ?? {};
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: o.path,
    query,
    headers: { host: url.host, ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers.host;
  const qs = new URLSearchParams(query).toString().replace(/\+/g, '%20');
  const res = await fetch(`${endpoint}${o.path}${qs ? `?${qs}` : ''}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    errorType: res.headers.get('x-amzn-errortype'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}
