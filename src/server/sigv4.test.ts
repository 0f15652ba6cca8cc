import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { ServiceError } from '../core/errors.ts';
import { Sha256 } from '../core/sha256.ts';
import { expectedSignature, parseRawQuery, type SignatureInput, type SignedRequest, verifySigV4 } from './sigv4.ts';

// The `get-vanilla` case of AWS's published SigV4 test suite.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
const vanilla: SignedRequest = {
  method: 'GET',
  rawPath: '/',
  rawQuery: '',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
      'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  body: new Uint8Array(),
};
const lookup = async (id: string) => (id === 'AKIDEXAMPLE' ? { accessKeyId: id, secretAccessKey: SECRET } : undefined);

async function code(req: SignedRequest, now = NOW, expectedService = 'service'): Promise<string> {
  try {
    await verifySigV4(req, { now, expectedService, lookup });
    return 'OK';
  } catch (e) {
    if (e instanceof ServiceError) return e.code;
    throw e;
  }
}

describe('verifySigV4', () => {
  it('accepts the AWS get-vanilla test vector', async () => {
    const v = await verifySigV4(vanilla, { now: NOW, expectedService: 'service', lookup });
    assert.equal(v.region, 'us-east-1');
    assert.equal(v.accessKeyId, 'AKIDEXAMPLE');
  });

  it('refuses a changed method, path, query, header or body', async () => {
    assert.equal(await code({ ...vanilla, method: 'POST' }), 'InvalidSignatureException');
    assert.equal(await code({ ...vanilla, rawPath: '/x' }), 'InvalidSignatureException');
    assert.equal(await code({ ...vanilla, rawQuery: 'a=b' }), 'InvalidSignatureException');
    assert.equal(
      await code({ ...vanilla, headers: { ...vanilla.headers, host: 'evil.amazonaws.com' } }),
      'InvalidSignatureException',
    );
    assert.equal(await code({ ...vanilla, body: new TextEncoder().encode('x') }), 'InvalidSignatureException');
  });

  it('refuses any single-character change of the signature (property)', async () => {
    const auth = String(vanilla.headers.authorization);
    const sigStart = auth.indexOf('Signature=') + 'Signature='.length;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 63 }), fc.constantFrom(...'0123456789abcdef'), async (i, c) => {
        const old = auth[sigStart + i];
        fc.pre(old !== c);
        const tampered = auth.slice(0, sigStart + i) + c + auth.slice(sigStart + i + 1);
        assert.equal(await code({ ...vanilla, headers: { ...vanilla.headers, authorization: tampered } }), 'InvalidSignatureException');
      }),
      { numRuns: 50 },
    );
  });

  it('enforces the 15-minute skew window both ways', async () => {
    assert.equal(await code(vanilla, NOW + 14 * 60_000), 'OK');
    assert.equal(await code(vanilla, NOW + 16 * 60_000), 'InvalidSignatureException');
    assert.equal(await code(vanilla, NOW - 16 * 60_000), 'InvalidSignatureException');
  });

  it('names the missing, malformed and unknown cases', async () => {
    const { authorization: _omit, ...noAuth } = vanilla.headers;
    assert.equal(await code({ ...vanilla, headers: noAuth }), 'MissingAuthenticationTokenException');
    assert.equal(
      await code({ ...vanilla, headers: { ...vanilla.headers, authorization: 'AWS4-HMAC-SHA256 garbage' } }),
      'IncompleteSignatureException',
    );
    assert.equal(
      await code({
        ...vanilla,
        headers: { ...vanilla.headers, authorization: String(vanilla.headers.authorization).replace('AKIDEXAMPLE', 'AKIDOTHER') },
      }),
      'UnrecognizedClientException',
    );
    assert.equal(await code(vanilla, NOW, 'bedrock'), 'InvalidSignatureException');
    const { 'x-amz-date': _d, ...noDate } = vanilla.headers;
    assert.equal(await code({ ...vanilla, headers: noDate }), 'IncompleteSignatureException');
  });

  it('checks a declared payload hash against the body', async () => {
    assert.equal(
      await code({ ...vanilla, headers: { ...vanilla.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }),
      'InvalidSignatureException',
    );
  });
});

/**
 * The signature as the verifier computed it before it had its own implementation: re-signing the request with
 * @smithy/signature-v4 (the AWS SDKs' signer), the signed headers as `signableHeaders`.
 */
async function smithySignature(r: SignatureInput, body: Uint8Array): Promise<string> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: r.secretAccessKey },
    region: r.region,
    service: r.service,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: r.headers[':authority'] ?? r.headers.host ?? '',
      path: r.rawPath,
      query: parseRawQuery(r.rawQuery),
      headers: { ...r.headers },
      body,
    },
    { signingDate: r.signingDate, signableHeaders: new Set(Object.keys(r.headers)), signingRegion: r.region, signingService: r.service },
  );
  return /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
}

describe('expectedSignature', () => {
  // Characters that stress escaping and normalization: reserved, sub-delims, `%XX`, spaces, tabs, non-ASCII.
  const pathChar = fc.constantFrom(...'aZ09-_.~!*\'()/:@$&=+,; é中'.split(''), '%20', '%2F', '%41', '%25', '.', '..', '//');
  const queryText = fc.array(fc.constantFrom(...'aZ09-_.~!*\'()+:@$,; é中/'.split(''), '%20', '%26', '%3D', '%2B', '%E4%B8%AD'), { maxLength: 6 }).map((cs) =>
    cs.map((c) => (c.startsWith('%') || /^[A-Za-z0-9\-_.~!*'()+:@$,;/]$/.test(c) ? c : encodeURIComponent(c))).join(''),
  );
  const queryPart = fc.oneof(
    fc.tuple(fc.constantFrom('a', 'B', 'x-amz-signature', 'X-Amz-Signature', 'Action', 'z z', ''), queryText).map(([k, v]) => `${encodeURIComponent(k)}=${v}`),
    queryText,
  );
  const headerValue = fc.array(fc.constantFrom('a', 'B', ' ', '  ', '\t', '\r\n', 'é', ',', '"', ';', '=', '1'), { maxLength: 8 }).map((cs) => cs.join(''));
  const headerName = fc.constantFrom(
    'content-type', 'x-amz-content-sha256', 'x-amz-date', 'date', 'x-amz-target', 'x-amz-security-token', 'user-agent',
    'proxy-authorization', 'sec-fetch-mode', 'content-length', 'x-custom', 'expect', '1', ':method',
  );
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    rawPath: fc.array(pathChar, { maxLength: 10 }).map((cs) => cs.join('')),
    rawQuery: fc.array(queryPart, { maxLength: 4 }).map((ps) => ps.join('&')),
    extraHeaders: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
    authority: fc.constantFrom<Array<'host' | ':authority'>>('host', ':authority'),
    body: fc.uint8Array({ maxLength: 64 }),
    signingDate: fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
    region: fc.constantFrom('us-east-1', 'eu-west-3', 'ap-southeast-2'),
    service: fc.constantFrom('bedrock', 'sts', 'iam', 'parapet', 'organizations'),
    secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
  });

  it('is the signature @smithy/signature-v4 computes, on arbitrary requests (property)', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const signingDate = new Date(Math.floor(r.signingDate.getTime() / 1000) * 1000);
        const headers: Record<string, string> = { [r.authority]: 'example.amazonaws.com:8080', ...r.extraHeaders };
        const input: SignatureInput = {
          method: r.method,
          rawPath: r.rawPath,
          rawQuery: r.rawQuery,
          headers,
          bodyHash: createHash('sha256').update(r.body).digest('hex'),
          signingDate,
          region: r.region,
          service: r.service,
          secretAccessKey: r.secretAccessKey,
        };
        assert.equal(expectedSignature(input), await smithySignature(input, r.body));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every request the AWS SDK signer signs (property)', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const now = Math.floor(r.signingDate.getTime() / 1000) * 1000;
        const signer = new SignatureV4({
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
          region: r.region,
          service: r.service,
          sha256: Sha256,
          uriEscapePath: true,
        });
        const { 'x-amz-date': _d, date: _dt, ...extra } = r.extraHeaders;
        const signed = await signer.sign(
          {
            method: r.method,
            protocol: 'http:',
            hostname: 'example.amazonaws.com',
            path: r.rawPath.startsWith('/') ? r.rawPath : `/${r.rawPath}`,
            query: parseRawQuery(r.rawQuery),
            headers: { host: 'example.amazonaws.com', ...extra, 'x-amz-content-sha256': createHash('sha256').update(r.body).digest('hex') },
            body: r.body,
          },
          { signingDate: new Date(now) },
        );
        const req: SignedRequest = {
          method: r.method,
          rawPath: r.rawPath.startsWith('/') ? r.rawPath : `/${r.rawPath}`,
          rawQuery: r.rawQuery,
          headers: signed.headers,
          body: r.body,
        };
        assert.equal(await code(req, now, r.service), 'OK');
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseRawQuery', () => {
  it('decodes percent-escapes, keeps + literal and collects repeats', () => {
    assert.deepEqual({ ...parseRawQuery('a=1%2B2&b=x+y&a=3&flag') }, { a: ['1+2', '3'], b: 'x+y', flag: '' });
  });

  it('treats keys like constructor and __proto__ as plain keys', () => {
    const q = parseRawQuery('constructor=a&__proto__=b&toString=c');
    assert.equal(q.constructor, 'a');
    assert.equal(Object.getOwnPropertyDescriptor(q, '__proto__')?.value, 'b');
    assert.equal(q.toString, 'c');
  });
});
