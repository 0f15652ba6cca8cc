import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ServiceError } from '../core/errors.ts';
import { parseRawQuery, type SignedRequest, verifySigV4 } from './sigv4.ts';

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
