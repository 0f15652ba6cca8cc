/** fast-check arbitraries for malformed request parts: values of the wrong type, odd ids, bad bytes, bad paths. */
import fc from 'fast-check';

/** A raw JSON token put in place of a value (text-level: not expressible as a JS value). */
export interface RawToken {
  raw: string;
}

export type FuzzValue = null | boolean | number | string | FuzzValue[] | { [k: string]: FuzzValue } | RawToken;

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066',
  '\ufeff',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  'DRAFT',
  '__proto__',
  'constructor',
  'toString',
  '../../../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\r\nX-Injected: 1',
  '🙂'.repeat(50),
  'é'.repeat(300),
];

const ODD_IDS = [
  'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc',
  'arn:aws:bedrock:us-east-1:123456789012:guardrail/abcdefghijkl:1',
  'arn:aws:bedrock:us-east-1:123456789012:guardrail/../../x',
  'arn:aws:bedrock:zz-nowhere-9:123456789012:guardrail/abcdefghijkl',
  'arn:aws-cn:bedrock:cn-north-1:123456789012:guardrail/abcdefghijkl',
  'arn:aws:bedrock:us-east-1::guardrail/abcdefghijkl',
  'arn:aws:bedrock:us-east-1:12345678901234567890:guardrail/x',
  'arn:aws:iam::123456789012:role/../root',
  'arn:aws:iam::123456789012:user/a/b/c/d/e/f/g',
  'arn:::::',
  'arn:aws:bedrock:us-east-1:123456789012:guardrail/' + 'a'.repeat(2100),
  'arn:aws:s3:::bucket/*',
  'arn:aws:bedrock:us-east-1:123456789012:guardrail-profile/x',
  'abcdefghijkl',
  'ABCDEFGHIJKL',
  'r-',
  'r-zzzz',
  'ou-',
  'ou-zzzz-zzzzzzzz-zzzz',
  'p-FullAWSAccess',
  'p-',
  'o-',
  '000000000000',
  '1234567890123',
  '12345678901',
  'AKIA' + 'A'.repeat(16),
  'ASIA' + '0'.repeat(124),
  'car-',
  'parapet.demo-v1:0:0:0',
  'anthropic.claude-3-haiku-20240307-v1:0',
  'arn:aws:bedrock:us-east-1::foundation-model/parapet.demo-v1',
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.parapet.demo-v1',
  'a/b',
  'a%2Fb',
  '*',
  '.',
  '..',
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD_IDS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.nat({ max: 40_000 }).map((n) => 'x'.repeat(n)) },
);

export const oddId: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...ODD_IDS), oddString);

/** Numbers JSON can carry and the edges of what a server reads from them. */
const numberToken: fc.Arbitrary<FuzzValue> = fc.oneof(
  fc.constantFrom<FuzzValue>(
    0,
    -1,
    -0,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e21,
    -1e21,
  ),
  fc.constantFrom<FuzzValue>(
    { raw: '1e400' },
    { raw: '-1e400' },
    { raw: '123456789012345678901234567890123456789' },
    { raw: '0.' + '0'.repeat(400) + '1' },
    { raw: '1' + '0'.repeat(5000) },
    { raw: '-0.0e-0' },
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Tokens that are not JSON values at all (the body becomes invalid JSON). */
export const invalidToken: fc.Arbitrary<RawToken> = fc.constantFrom(
  { raw: 'NaN' },
  { raw: 'Infinity' },
  { raw: '-Infinity' },
  { raw: 'undefined' },
  { raw: "'single'" },
  { raw: '0x10' },
  { raw: '01' },
  { raw: '.5' },
  { raw: '"\\x41"' },
  { raw: '"\\u12"' },
  { raw: '"unterminated' },
  { raw: '"\t raw control"' },
  { raw: '[1,]' },
  { raw: '{"a":1,}' },
  { raw: '{a:1}' },
  { raw: '' },
);

export const wrongValue: fc.Arbitrary<FuzzValue> = fc.oneof(
  { weight: 3, arbitrary: oddString as fc.Arbitrary<FuzzValue> },
  { weight: 2, arbitrary: numberToken },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant<FuzzValue>([]) },
  { weight: 1, arbitrary: fc.constant<FuzzValue>({}) },
  { weight: 1, arbitrary: fc.array(oddString as fc.Arbitrary<FuzzValue>, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString, oddString as fc.Arbitrary<FuzzValue>, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom<FuzzValue>({ __proto__: { text: 'x' } } as never, { constructor: { prototype: 1 } }, { toString: 1 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<FuzzValue> },
);

/** Whole bodies that are not valid JSON objects. */
export const badJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '{"name": "x",',
    '{"a" 1}',
    "{'a':1}",
    '[1,2',
    'NaN',
    'null',
    'true',
    '42',
    '"just a string"',
    '[]',
    '[{}]',
    '{"a":NaN}',
    '{"a":1,}',
    '\u0000',
    '{"a":"\\ud800"}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '\ufeff{}',
    '{}garbage',
    '{} {}',
    ' \n\t{}\n ',
    '{"a":1}\u0000',
    'Action=GetCallerIdentity&Version=2011-06-15',
  ),
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
);

/** Byte sequences that are not UTF-8. */
export const invalidUtf8: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom<number[]>([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]),
  fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 8 }),
);

/** Path segments: traversal, bad percent-encoding, encoded slashes, control bytes, very long. */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '',
    '%2e%2e',
    '%2E%2E',
    '.%2e',
    '%2F',
    '..%2F..%2Fetc%2Fpasswd',
    '%',
    '%z',
    '%zz',
    '%%',
    '%c0%ae%c0%ae',
    '%00',
    '%ff',
    '%ed%a0%80',
    '%u002e',
    '..;',
    ';a=b',
    '~root',
    '\\..\\',
    '%5c..%5c',
    '%0d%0aX-Injected:%201',
    '%3Fx=1',
    '%23frag',
    'a'.repeat(5000),
    'é',
    '\u00ff\u00fe',
    '🙂',
  ),
  fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.string({ maxLength: 12, unit: 'binary' }),
);

/** Header values Node's parser must cope with (CR/LF injection, NUL, latin-1, empty, very long). */
export const oddHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'x\r\nX-Injected: 1',
    'x\r\n\r\nGET /health HTTP/1.1\r\nHost: x',
    'x\nX-Injected: 1',
    'x\rX-Injected: 1',
    'x\u0000y',
    '\u00ff\u00fe\u00fd',
    '',
    ' ',
    '\t',
    'a'.repeat(8000),
    'application/json; charset=utf-16',
    'AWS4-HMAC-SHA256',
    'Bearer',
    'Bearer ::',
    'Bearer ' + 'A'.repeat(200) + ':' + 'b'.repeat(300),
  ),
  oddString,
);

export const oddContentType: fc.Arbitrary<string> = fc.constantFrom(
  'application/json',
  'application/x-amz-json-1.1',
  'application/x-amz-json-1.0',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'text/plain',
  'text/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=iso-8859-1',
  '',
  '*/*',
  'application/vnd.amazon.eventstream',
  'image/png',
);

export const oddMethod: fc.Arbitrary<string> = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'FOO', 'get');
