/**
 * SigV4 verification by re-signing: the request is rebuilt from exactly the headers the client
 * signed, signed again with @smithy/signature-v4 and the stored secret, and the signatures are
 * compared in constant time. Works for HTTP/1.1 (`host`) and HTTP/2 (`:authority`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { ServiceError } from '../core/errors.ts';
import { Sha256 } from '../core/sha256.ts';

export const CLOCK_SKEW_MS = 15 * 60 * 1000;
const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export interface SignedRequest {
  method: string;
  /** The raw request path, still percent-encoded as it arrived. */
  rawPath: string;
  /** The raw query string without `?` (may be empty). */
  rawQuery: string;
  /** Lower-case header names; HTTP/2 pseudo-headers included. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

export interface KeyLookup {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface VerifiedCredential {
  accessKeyId: string;
  region: string;
  service: string;
  signingDate: Date;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

/** The service name in an Authorization header's credential scope, if the header is well-formed. */
export function scopeServiceOf(authorization: string | string[] | undefined): string | undefined {
  const v = headerValue(authorization);
  return v === undefined ? undefined : AUTH_RE.exec(v.trim())?.[4];
}

/** Parse a raw query string into decoded values without treating `+` as a space (as AWS does). */
export function parseRawQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ServiceError('ValidationException', 'The query string is not correctly percent-encoded.');
  }
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Verify the SigV4 signature of `req`. `lookup` returns the (decrypted) secret for an access key id,
 * or undefined when the key is unknown or inactive. Throws the AWS error for every failure.
 */
export interface SigV4Options<K extends KeyLookup = KeyLookup> {
  now: number;
  expectedService: string;
  lookup: (accessKeyId: string) => Promise<K | undefined>;
  /** Regions a credential may be scoped to; any well-formed Region when absent. */
  regions?: ReadonlySet<string>;
}

/** A request whose headers passed every check; `verify` checks the signature over the body. */
export interface PendingSignature<K extends KeyLookup = KeyLookup> {
  accessKeyId: string;
  region: string;
  /** The service name of the credential scope. */
  service: string;
  /** What `lookup` returned for the access key. */
  key: K;
  verify(body: Uint8Array): Promise<VerifiedCredential>;
}

/** Verify the SigV4 signature of `req` (headers and body together). */
export async function verifySigV4(req: SignedRequest, opts: SigV4Options): Promise<VerifiedCredential> {
  return (await prepareSigV4(req, opts)).verify(req.body);
}

/**
 * Check everything that does not need the body — the Authorization header, the date and skew, the
 * credential scope and the key — so unauthenticated requests are refused before their body is read.
 */
export async function prepareSigV4<K extends KeyLookup>(
  req: Omit<SignedRequest, 'body'>,
  opts: SigV4Options<K>,
): Promise<PendingSignature<K>> {
  const authorization = headerValue(req.headers.authorization);
  if (!authorization) {
    if (req.rawQuery.includes('X-Amz-Signature='))
      throw new ServiceError(
        'IncompleteSignatureException',
        'Query-string (presigned URL) authentication is not supported; sign the Authorization header.',
      );
    throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  if (authorization.startsWith('Bearer '))
    throw new ServiceError(
      'UnrecognizedClientException',
      'Bearer API keys are not accepted by this server; sign requests with SigV4 and an access key.',
    );
  const m = AUTH_RE.exec(authorization.trim());
  if (!m)
    throw new ServiceError(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters " +
        "in the form 'AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=…, Signature=…'.",
    );
  const [, accessKeyId = '', scopeDate = '', region = '', service = '', signedHeaderList = '', signature = ''] = m;

  const amzDate = headerValue(req.headers['x-amz-date']);
  const dm = amzDate ? AMZ_DATE_RE.exec(amzDate) : null;
  if (!amzDate || !dm)
    throw new ServiceError(
      'IncompleteSignatureException',
      "Authorization requires a valid 'X-Amz-Date' header in the form yyyyMMdd'T'HHmmss'Z'.",
    );
  const signingDate = new Date(Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!));
  if (Number.isNaN(signingDate.getTime()))
    throw new ServiceError('IncompleteSignatureException', `Invalid X-Amz-Date '${amzDate}'.`);
  if (amzDate.slice(0, 8) !== scopeDate)
    throw new ServiceError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  const skew = signingDate.getTime() - opts.now;
  if (Math.abs(skew) > CLOCK_SKEW_MS) {
    const bound = skew < 0 ? 'earlier' : 'later';
    const limit = skew < 0 ? opts.now - CLOCK_SKEW_MS : opts.now + CLOCK_SKEW_MS;
    throw new ServiceError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now ${bound} than ${formatAmzDate(limit)} (${formatAmzDate(opts.now)} ${skew < 0 ? '-' : '+'} 15 min.)`,
    );
  }
  if (service !== opts.expectedService)
    throw new ServiceError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${opts.expectedService}'.`,
    );
  if (!REGION_RE.test(region) || (opts.regions && !opts.regions.has(region)))
    throw new ServiceError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'.`);

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority'))
    throw new ServiceError('InvalidSignatureException', "'Host' or ':authority' must be a signed header.");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const v = headerValue(req.headers[name]);
    if (v === undefined)
      throw new ServiceError('InvalidSignatureException', `Signed header '${name}' is missing from the request.`);
    headers[name] = v;
  }

  const key = await opts.lookup(accessKeyId);
  if (!key) throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');

  return {
    accessKeyId,
    region,
    service,
    key,
    async verify(body: Uint8Array): Promise<VerifiedCredential> {
      const bodyHash = createHash('sha256').update(body).digest('hex');
      const declared = headerValue(req.headers['x-amz-content-sha256']);
      if (declared !== undefined && declared !== bodyHash)
        throw new ServiceError(
          'InvalidSignatureException',
          declared.startsWith('UNSIGNED') || declared.startsWith('STREAMING')
            ? 'Unsigned and streaming payloads are not accepted; sign the payload hash.'
            : 'The provided x-amz-content-sha256 header does not match the SHA-256 of the request body.',
        );
      const authority = headers[':authority'] ?? headers.host ?? '';
      const signer = new SignatureV4({
        credentials: { accessKeyId, secretAccessKey: key.secretAccessKey },
        region,
        service,
        sha256: Sha256,
        uriEscapePath: true,
        applyChecksum: false,
      });
      const toSign: HttpRequest = {
        method: req.method,
        protocol: 'http:',
        hostname: authority,
        path: req.rawPath,
        query: parseRawQuery(req.rawQuery),
        headers,
        body,
      };
      const signed = await signer.sign(toSign, {
        signingDate,
        signableHeaders: new Set(signedHeaders),
        signingRegion: region,
        signingService: service,
      });
      const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
      const a = Buffer.from(expected, 'hex');
      const b = Buffer.from(signature, 'hex');
      if (a.length !== b.length || !timingSafeEqual(a, b))
        throw new ServiceError('InvalidSignatureException', SIGNATURE_MISMATCH);
      return { accessKeyId, region, service, signingDate };
    },
  };
}
