/**
 * SigV4 verification by re-signing: the canonical request is rebuilt from exactly the headers the client
 * signed, signed again with the stored secret, and the signatures are compared in constant time. Works for
 * HTTP/1.1 (`host`) and HTTP/2 (`:authority`).
 *
 * The canonical form is the one @smithy/signature-v4 (what the AWS SDKs sign with) produces, rule for rule —
 * `sigv4.test.ts` checks it against that library on arbitrary requests — but computed directly on node:crypto:
 * the body is hashed once, and the signing key (four HMACs over date, Region and service) is derived once per
 * secret and day instead of on every call.
 */
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../core/errors.ts';

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
  /**
   * Called with the access key id as soon as the Authorization header parses, before any other check, lookup
   * or HMAC: throwing from it refuses the request cheaply (the failed-authentication limits, app.ts).
   */
  onCredential?: (accessKeyId: string) => void;
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
  opts.onCredential?.(accessKeyId);

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
  if (skew < -CLOCK_SKEW_MS)
    throw new ServiceError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(opts.now - CLOCK_SKEW_MS)} (${formatAmzDate(opts.now)} - 15 min.)`,
    );
  if (skew > CLOCK_SKEW_MS)
    throw new ServiceError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(opts.now + CLOCK_SKEW_MS)} (${formatAmzDate(opts.now)} + 15 min.)`,
    );
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
    // Over HTTP/2 the host is the `:authority` pseudo-header: clients that sign `host` there send no Host header.
    const v = headerValue(req.headers[name]) ?? (name === 'host' ? headerValue(req.headers[':authority']) : undefined);
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
      const bodyHash = hash('sha256', body, 'hex');
      const declared = headerValue(req.headers['x-amz-content-sha256']);
      if (declared !== undefined && declared !== bodyHash)
        throw new ServiceError(
          'InvalidSignatureException',
          declared.startsWith('UNSIGNED') || declared.startsWith('STREAMING')
            ? 'Unsigned and streaming payloads are not accepted; sign the payload hash.'
            : 'The provided x-amz-content-sha256 header does not match the SHA-256 of the request body.',
        );
      const expected = expectedSignature({
        method: req.method,
        rawPath: req.rawPath,
        rawQuery: req.rawQuery,
        headers,
        bodyHash,
        signingDate,
        region,
        service,
        secretAccessKey: key.secretAccessKey,
      });
      const a = Buffer.from(expected, 'hex');
      const b = Buffer.from(signature, 'hex');
      if (a.length !== b.length || !timingSafeEqual(a, b))
        throw new ServiceError('InvalidSignatureException', SIGNATURE_MISMATCH);
      return { accessKeyId, region, service, signingDate };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The signature, as @smithy/signature-v4 computes it (signRequest with the signed headers as `signableHeaders`,
// no session token, applyChecksum off, uriEscapePath on)

/** What the signature covers: the request as received, with the values of the headers the client signed. */
export interface SignatureInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Signed header name → value (multiple values joined with `,`). */
  headers: Readonly<Record<string, string>>;
  /** Lower-case hex SHA-256 of the body. */
  bodyHash: string;
  signingDate: Date;
  region: string;
  service: string;
  secretAccessKey: string;
}

/** Headers the signer itself sets (smithy's GENERATED_HEADERS): whatever the client sent for them is replaced. */
const GENERATED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-amz-date', 'date']);
const PAYLOAD_HASH_HEADER = 'x-amz-content-sha256';

/** The hex signature the client must have sent, computed with the stored secret. */
export function expectedSignature(r: SignatureInput): string {
  const longDate = longDateOf(r.signingDate);
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${r.region}/${r.service}/aws4_request`;
  const canonical = canonicalRequest(r, longDate);
  // One-shot hashing (no Hash object per call); a string is hashed as its UTF-8 bytes, as smithy's signer does.
  const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${hash('sha256', canonical, 'hex')}`;
  return createHmac('sha256', signingKey(r.secretAccessKey, shortDate, r.region, r.service)).update(stringToSign).digest('hex');
}

/** The last date formatted: the calls of one second share it (formatting is two regex passes over toISOString). */
let lastDate = { ms: Number.NaN, long: '' };

/** `yyyyMMddTHHmmssZ` of the signing date (smithy formats the date it was given, so a normalized one counts). */
function longDateOf(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastDate.ms) lastDate = { ms, long: date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '') };
  return lastDate.long;
}

/**
 * The canonical request: method, canonical path, canonical query, canonical headers (the signed ones, the
 * signer's own `x-amz-date` in place of the client's, `date` dropped), the signed header list and the payload hash.
 */
export function canonicalRequest(r: Omit<SignatureInput, 'signingDate' | 'region' | 'service' | 'secretAccessKey'>, longDate: string): string {
  const values = new Map<string, string>();
  let payloadHash = r.bodyHash;
  for (const name of Object.keys(r.headers)) {
    const lower = name.toLowerCase();
    if (GENERATED_HEADERS.has(lower)) continue;
    const value = r.headers[name] ?? '';
    // A signed payload hash is what the signature covers (the caller has checked it against the body).
    if (lower === PAYLOAD_HASH_HEADER) payloadHash = value;
    values.set(lower, canonicalHeaderValue(value));
  }
  values.set('x-amz-date', longDate);
  const names = [...values.keys()].sort();
  let headerLines = '';
  for (const name of names) headerLines += `${name}:${values.get(name) ?? ''}\n`;
  return `${r.method}\n${canonicalPath(r.rawPath)}\n${canonicalQuery(r.rawQuery)}\n${headerLines}\n${names.join(';')}\n${payloadHash}`;
}

/** Line breaks become spaces, runs of spaces and tabs one space, one leading and one trailing space go. */
function canonicalHeaderValue(v: string): string {
  return v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** The raw path with `.`, `..` and empty segments resolved, then URI-escaped once more (`%` → `%25`), `/` kept. */
function canonicalPath(rawPath: string): string {
  const path = rawPath ? (rawPath.charAt(0) !== '/' ? `/${rawPath}` : rawPath) : '/';
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/**
 * Whether a raw path has a `.` or `..` segment. The canonical path resolves them (as the SDKs sign it); a server
 * that routes the raw path must refuse such requests, or one signature would be valid for two different operations
 * or resources (`GET /guardrails` and `GET /guardrails/.` sign the same).
 */
export function hasDotSegment(rawPath: string): boolean {
  if (!rawPath.includes('.')) return false;
  for (const segment of rawPath.split('/')) if (segment === '.' || segment === '..') return true;
  return false;
}

/** Decoded parameters re-escaped, sorted by name, repeated values sorted; `X-Amz-Signature` left out. */
function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const query = parseRawQuery(rawQuery);
  const serialized = new Map<string, string>();
  for (const key of Object.keys(query)) {
    if (key.toLowerCase() === 'x-amz-signature') continue;
    const encodedKey = escapeUri(key);
    const value = query[key];
    serialized.set(
      encodedKey,
      typeof value === 'string' ? `${encodedKey}=${escapeUri(value)}` : (value ?? []).map((v) => `${encodedKey}=${escapeUri(v)}`).sort().join('&'),
    );
  }
  return [...serialized.keys()]
    .sort()
    .map((k) => serialized.get(k))
    .filter((v) => v)
    .join('&');
}

/** RFC 3986 escaping as AWS does it: encodeURIComponent, plus `!'()*`. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Signing keys kept (each is per secret, day, Region and service), least recently used dropped first. */
const SIGNING_KEYS_MAX = 1024;
const signingKeys = new Map<string, Buffer>();

/**
 * `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`, remembered: it only changes
 * with the day, so deriving it on every call would be four HMACs of waste. Keyed by the secret itself, so a
 * rotated secret never finds the old key.
 */
function signingKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const cacheKey = `${shortDate}\u0000${region}\u0000${service}\u0000${secret}`;
  const hit = signingKeys.get(cacheKey);
  if (hit) {
    signingKeys.delete(cacheKey);
    signingKeys.set(cacheKey, hit);
    return hit;
  }
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(shortDate).digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  signingKeys.set(cacheKey, key);
  if (signingKeys.size > SIGNING_KEYS_MAX) {
    const oldest = signingKeys.keys().next().value;
    if (oldest !== undefined) signingKeys.delete(oldest);
  }
  return key;
}
