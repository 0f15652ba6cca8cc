/**
 * Authentication edge cases through real HTTP against an in-process server: each row of the table is one request
 * (signed with @smithy/signature-v4, the AWS SDKs' signer, then changed or not) and the status and error type it
 * must get. Then the limits on failed authentication attempts (src/server/auth-throttle.ts): per client address
 * and per access key id, with ThrottlingException before any signature check, and what stays unaffected.
 *
 * Every row is sent from 127.0.0.1. A loopback peer that forwards no client address is not limited (see
 * auth-throttle.ts), so the rows do not count against each other; the rate-limit part varies the client address
 * the way a reverse proxy on the same host does, with `X-Forwarded-For` (the server trusts it from loopback only;
 * `src/server/auth-throttle.test.ts` checks the address rules and the peer address of HTTP/1.1 and HTTP/2).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { ORG_ACCESS_ROLE, roleArn } from '../../src/control/accounts.ts';
import { IdentityService } from '../../src/control/identity.ts';
import { iamRootArn } from '../../src/core/arn.ts';
import type { Caller } from '../../src/core/caller.ts';
import { Sha256 } from '../../src/core/sha256.ts';
import { DEFAULT_AUTH_FAILURE_LIMITS } from '../../src/server/auth-throttle.ts';
import { createServices } from '../../src/server/serve.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';

interface Answer {
  status: number;
  /** x-amzn-errortype, else the awsQuery `<Code>`, else the JSON `__type` / OpenAI `error.code`. */
  type: string | null;
  message: string;
  headers: Record<string, string>;
  body: string;
}

interface Req {
  method?: string;
  path?: string;
  /** Query parameters as signed (values decoded). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  creds?: AwsCreds;
  region?: string;
  service?: string;
  /** Milliseconds from the server's now. */
  skewMs?: number;
}

const PER_ADDRESS = DEFAULT_AUTH_FAILURE_LIMITS.perAddress;
const PER_KEY = DEFAULT_AUTH_FAILURE_LIMITS.perKey;
const UNKNOWN: AwsCreds = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) };
const allow = (action: string[]): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

function typeOf(headers: Record<string, string>, body: string): { type: string | null; message: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const xmlMessage = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const openai = json?.['error'] as Record<string, unknown> | undefined;
  const type = headers['x-amzn-errortype'] ?? code ?? (typeof json?.['__type'] === 'string' ? json['__type'] : undefined) ?? (typeof openai?.['code'] === 'string' ? openai['code'] : undefined) ?? null;
  const message = String(json?.['message'] ?? openai?.['message'] ?? xmlMessage ?? '');
  return { type, message };
}

describe('authentication edge cases (real HTTP, in-process server)', () => {
  let t: TestServer;
  let url: URL;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const logs: Array<Record<string, unknown>> = [];
  let mgmt: AwsCreds;
  let userKey: AwsCreds;
  let deletedKey: AwsCreds;
  let inactiveKey: AwsCreds;
  let lockKey: AwsCreds;
  let session: AwsCreds;
  let expiredSession: AwsCreds;

  before(async () => {
    t = await startTestServer({ clock, log: (l) => logs.push(l) });
    url = new URL(t.server.url);
    mgmt = t.credentials;
    const services = createServices(t.server.store, clock);
    const member = (await services.accounts.createAccount({ name: 'auth-member', managementAccountId: t.accountId })).accountId;
    lockKey = await services.accounts.createRootKey(t.accountId).then((k) => ({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey }));

    const iam = t.client(IAMClient);
    for (const name of ['edge-a', 'edge-b']) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'list', PolicyDocument: allow(['bedrock:ListGuardrails']) }));
    }
    const key = async (user: string): Promise<AwsCreds> => {
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
      assert.ok(k?.AccessKeyId && k.SecretAccessKey);
      return { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
    };
    userKey = await key('edge-a');
    deletedKey = await key('edge-a');
    inactiveKey = await key('edge-b');
    // Used once (so it is in the server's key cache), then deleted or deactivated.
    assert.equal((await send({ creds: deletedKey })).status, 200);
    assert.equal((await send({ creds: inactiveKey })).status, 200);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'edge-a', AccessKeyId: deletedKey.accessKeyId }));
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'edge-b', AccessKeyId: inactiveKey.accessKeyId, Status: 'Inactive' }));
    // No wait: the server that made the change forgets the cached keys at once (KEY_WRITES in app.ts).

    const out = await t.client(STSClient).send(new AssumeRoleCommand({ RoleArn: roleArn(member, ORG_ACCESS_ROLE), RoleSessionName: 'edge', DurationSeconds: 900 }));
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    // A session issued two hours ago for 15 minutes.
    const past = createServices(t.server.store, { now: () => clock.now() - 2 * 3600_000 });
    const mgmtRoot: Caller = { accountId: t.accountId, principalArn: iamRootArn(t.accountId), accessKeyId: mgmt.accessKeyId, region: 'us-east-1' };
    const stale = await new IdentityService(past).assumeRole(mgmtRoot, { roleArn: roleArn(member, ORG_ACCESS_ROLE), roleSessionName: 'stale', durationSeconds: 900 });
    expiredSession = { accessKeyId: stale.Credentials.AccessKeyId, secretAccessKey: stale.Credentials.SecretAccessKey, sessionToken: stale.Credentials.SessionToken };
  });
  after(async () => t?.stop());

  /** Signed headers of `r` (host included), signed at the server's now plus `skewMs`. */
  async function sign(r: Req, extra: { authority?: boolean } = {}): Promise<Record<string, string>> {
    const creds = r.creds ?? mgmt;
    const signer = new SignatureV4({ credentials: creds, region: r.region ?? 'us-east-1', service: r.service ?? 'bedrock', sha256: Sha256, uriEscapePath: true });
    const hostHeader: Record<string, string> = extra.authority ? { ':authority': url.host } : { host: url.host };
    const signed = await signer.sign(
      {
        method: r.method ?? 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: r.path ?? '/guardrails',
        query: r.query ?? {},
        headers: { ...hostHeader, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(r.headers ?? {}) },
        body: r.body ?? '',
      },
      { signingDate: new Date(clock.now() + (r.skewMs ?? 0)) },
    );
    return { ...(signed.headers as Record<string, string>) };
  }

  function wirePath(r: Req): string {
    const qs = Object.entries(r.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return `${r.path ?? '/guardrails'}${qs ? `?${qs}` : ''}`;
  }

  /** One HTTP/1.1 exchange over a fresh socket, headers exactly as given (duplicates kept). */
  function h1(method: string, path: string, headers: Array<[string, string]>, body = ''): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('error', reject);
      sock.on('close', () => {
        const data = Buffer.concat(chunks).toString('utf8');
        const end = data.indexOf('\r\n\r\n');
        const lines = data.slice(0, end).split('\r\n');
        const hs: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          hs[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        const text = data.slice(end + 4);
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1]), ...typeOf(hs, text), headers: hs, body: text });
      });
      const head = [`${method} ${path} HTTP/1.1`, ...headers.map(([k, v]) => `${k}: ${v}`), `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
      sock.write(`${head.join('\r\n')}\r\n\r\n${body}`);
    });
  }

  /** Sign `r`, let `mutate` change the wire request, send it over HTTP/1.1. */
  async function send(
    r: Req,
    mutate: (w: { method: string; path: string; headers: Array<[string, string]>; body: string }) => void = () => {},
  ): Promise<Answer> {
    const signed = await sign(r);
    const w = { method: r.method ?? 'GET', path: wirePath(r), headers: Object.entries(signed), body: r.body ?? '' };
    mutate(w);
    return h1(w.method, w.path, w.headers, w.body);
  }

  const from = (address: string) => (w: { headers: Array<[string, string]> }) => void w.headers.push(['x-forwarded-for', address]);
  const setHeader = (name: string, value: string) => (w: { headers: Array<[string, string]> }) => {
    const i = w.headers.findIndex(([k]) => k.toLowerCase() === name);
    if (i < 0) w.headers.push([name, value]);
    else w.headers[i] = [name, value];
  };
  const authorizationOf = (w: { headers: Array<[string, string]> }) => w.headers.find(([k]) => k.toLowerCase() === 'authorization')?.[1] ?? '';

  /** One HTTP/2 request; `authority` false signs `host` (and sends it as `:authority`, as HTTP/2 clients do). */
  async function h2(r: Req, o: { signAuthority?: boolean; sendAuthority?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const signed = await sign(r, { authority: o.signAuthority ?? false });
    delete signed.host;
    delete signed[':authority'];
    const session = http2.connect(t.server.url);
    try {
      const stream = session.request({
        ':method': r.method ?? 'GET',
        ':path': wirePath(r),
        ':authority': o.sendAuthority ?? url.host,
        ...signed,
        ...(o.headers ?? {}),
      });
      if (r.body) stream.write(r.body);
      stream.end();
      const [status, headers] = await new Promise<[number, Record<string, string>]>((resolve, reject) => {
        stream.on('response', (h) => resolve([Number(h[':status']), Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]))]));
        stream.on('error', reject);
      });
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString()));
      await new Promise((resolve) => stream.on('end', resolve));
      return { status, ...typeOf(headers, body), headers, body };
    } finally {
      session.close();
    }
  }

  const guardrailBody = JSON.stringify({ name: 'edge', blockedInputMessaging: 'b', blockedOutputsMessaging: 'b' });
  const tampered = guardrailBody.replace('edge', 'egde');

  interface Row {
    name: string;
    status: number;
    type: string | null;
    message?: RegExp;
    send(): Promise<Answer>;
  }

  const rows: Row[] = [
    { name: 'correctly signed (baseline)', status: 200, type: null, send: () => send({}) },
    { name: 'correctly signed, 14 minutes old (inside the skew window)', status: 200, type: null, send: () => send({ skewMs: -14 * 60_000 }) },
    {
      name: 'tampered signed header',
      status: 403,
      type: 'InvalidSignatureException',
      message: /signature we calculated does not match/,
      send: () => send({ headers: { 'x-parapet-note': 'a' } }, setHeader('x-parapet-note', 'b')),
    },
    {
      name: 'tampered x-amz-date',
      status: 403,
      type: 'InvalidSignatureException',
      send: () =>
        send({}, (w) => {
          const d = w.headers.find(([k]) => k === 'x-amz-date')?.[1] ?? '';
          setHeader('x-amz-date', `${d.slice(0, 13)}${d.slice(13, 15) === '00' ? '01' : '00'}Z`)(w);
        }),
    },
    {
      name: 'tampered body (the signed x-amz-content-sha256 no longer matches it)',
      status: 403,
      type: 'InvalidSignatureException',
      message: /x-amz-content-sha256 header does not match/,
      send: () => send({ method: 'POST', body: guardrailBody }, (w) => (w.body = tampered)),
    },
    {
      name: 'tampered body with x-amz-content-sha256 changed to match it',
      status: 403,
      type: 'InvalidSignatureException',
      message: /signature we calculated does not match/,
      send: () =>
        send({ method: 'POST', body: guardrailBody }, (w) => {
          w.body = tampered;
          setHeader('x-amz-content-sha256', crypto.createHash('sha256').update(tampered).digest('hex'))(w);
        }),
    },
    {
      name: 'tampered body, payload hash not sent',
      status: 403,
      type: 'InvalidSignatureException',
      send: () =>
        send({ method: 'POST', body: guardrailBody }, (w) => {
          w.body = tampered;
          w.headers = w.headers.filter(([k]) => k !== 'x-amz-content-sha256');
        }),
    },
    {
      name: 'tampered query value',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ query: { maxResults: '1' } }, (w) => (w.path = w.path.replace('maxResults=1', 'maxResults=2'))),
    },
    {
      name: 'query parameter added after signing',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ query: { maxResults: '1' } }, (w) => (w.path += '&nextToken=x')),
    },
    {
      name: 'tampered method (GET signed, DELETE sent)',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ path: '/guardrails/abcdefghijkl' }, (w) => (w.method = 'DELETE')),
    },
    {
      name: 'path label with an encoded slash (%2F), signed as sent: reaches the operation, decoded once',
      status: 400,
      type: 'ValidationException',
      message: /Value 'a\/b' at 'guardrailIdentifier'/,
      send: () => send({ path: '/guardrails/a%2Fb' }),
    },
    {
      name: 'path label double-encoded (%252F), signed as sent: decoded once',
      status: 400,
      type: 'ValidationException',
      message: /Value 'a%2Fb' at 'guardrailIdentifier'/,
      send: () => send({ path: '/guardrails/a%252Fb' }),
    },
    {
      name: 'path signed with %2F, sent double-encoded (%252F)',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ path: '/guardrails/a%2Fb' }, (w) => (w.path = '/guardrails/a%252Fb')),
    },
    {
      name: 'path signed double-encoded (%252F), sent once-encoded (%2F)',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ path: '/guardrails/a%252Fb' }, (w) => (w.path = '/guardrails/a%2Fb')),
    },
    {
      name: 'path signed with %2F, sent with a literal slash (another route: refused before authentication)',
      status: 404,
      type: 'UnknownOperationException',
      send: () => send({ path: '/guardrails/a%2Fb' }, (w) => (w.path = '/guardrails/a/b')),
    },
    {
      name: "dot segment: GET /guardrails signed, /guardrails/. sent (the signature covers both; refused)",
      status: 400,
      type: 'ValidationException',
      message: /'\.' or '\.\.' segment/,
      send: () => send({}, (w) => (w.path = '/guardrails/.')),
    },
    {
      name: 'dot segment signed by the SDK signer itself (/guardrails/.., canonical path /)',
      status: 400,
      type: 'ValidationException',
      message: /'\.' or '\.\.' segment/,
      send: () => send({ path: '/guardrails/..' }),
    },
    {
      name: 'empty segment (//guardrails): canonical path and route agree',
      status: 200,
      type: null,
      send: () => send({}, (w) => (w.path = '//guardrails')),
    },
    {
      name: 'replay 16 minutes after signing',
      status: 403,
      type: 'InvalidSignatureException',
      message: /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
      send: () => send({ skewMs: -16 * 60_000 }),
    },
    {
      name: 'signed 16 minutes in the future',
      status: 403,
      type: 'InvalidSignatureException',
      message: /^Signature not yet current: \d{8}T\d{6}Z is still later than/,
      send: () => send({ skewMs: 16 * 60_000 }),
    },
    {
      name: 'credential scoped to a Region the server does not serve',
      status: 403,
      type: 'InvalidSignatureException',
      message: /valid region, not 'xx-nowhere-1'/,
      send: () => send({ region: 'xx-nowhere-1' }),
    },
    {
      name: 'Region of the credential scope changed after signing (us-east-1 → us-west-2)',
      status: 403,
      type: 'InvalidSignatureException',
      message: /signature we calculated does not match/,
      send: () => send({}, (w) => setHeader('authorization', authorizationOf(w).replace('/us-east-1/', '/us-west-2/'))(w)),
    },
    {
      name: 'credential scoped to another service (s3)',
      status: 403,
      type: 'InvalidSignatureException',
      message: /correct service: 'bedrock'/,
      send: () => send({ service: 's3' }),
    },
    {
      name: 'control-plane call signed for bedrock-runtime',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ service: 'bedrock-runtime' }),
    },
    { name: 'unknown access key', status: 403, type: 'UnrecognizedClientException', send: () => send({ creds: UNKNOWN }) },
    {
      name: 'wrong secret for a real key',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => send({ creds: { accessKeyId: mgmt.accessKeyId, secretAccessKey: UNKNOWN.secretAccessKey } }),
    },
    { name: "IAM user's active key", status: 200, type: null, send: () => send({ creds: userKey }) },
    { name: 'deleted key', status: 403, type: 'UnrecognizedClientException', send: () => send({ creds: deletedKey }) },
    { name: 'deactivated key', status: 403, type: 'UnrecognizedClientException', send: () => send({ creds: inactiveKey }) },
    { name: 'STS session credentials with their token', status: 200, type: null, send: () => send({ creds: session }) },
    {
      name: 'STS session credentials without their token',
      status: 403,
      type: 'UnrecognizedClientException',
      send: () => send({ creds: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey } }),
    },
    {
      name: 'STS session credentials with a tampered token',
      status: 403,
      type: 'UnrecognizedClientException',
      send: () => send({ creds: { ...session, sessionToken: `${session.sessionToken?.slice(0, -4)}AAAA` } }),
    },
    { name: 'expired STS session token', status: 403, type: 'ExpiredTokenException', message: /expired/, send: () => send({ creds: expiredSession }) },
    { name: 'long-term key carrying a session token', status: 403, type: 'UnrecognizedClientException', send: () => send({ creds: { ...mgmt, sessionToken: 'x'.repeat(200) } }) },
    {
      name: 'awsQuery (STS) with an unknown key',
      status: 403,
      type: 'InvalidClientTokenId',
      send: () =>
        send({ method: 'POST', path: '/', service: 'sts', creds: UNKNOWN, body: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    },
    {
      name: 'duplicated Authorization: the valid one first, another after',
      status: 403,
      type: 'IncompleteSignatureException',
      message: /more than one Authorization header/,
      send: () => send({}, (w) => w.headers.push(['Authorization', authorizationOf(w).replace(/Signature=.*/, `Signature=${'0'.repeat(64)}`)])),
    },
    {
      name: 'duplicated Authorization: a bad one first, the valid one after',
      status: 403,
      type: 'IncompleteSignatureException',
      send: () =>
        send({}, (w) => {
          const good = authorizationOf(w);
          setHeader('authorization', good.replace(/Signature=.*/, `Signature=${'0'.repeat(64)}`))(w);
          w.headers.push(['authorization', good]);
        }),
    },
    {
      name: 'the same Authorization line twice (not ambiguous)',
      status: 200,
      type: null,
      send: () => send({}, (w) => w.headers.push(['Authorization', authorizationOf(w)])),
    },
    {
      name: 'a second, different Host header',
      status: 400,
      type: 'ValidationException',
      message: /more than one Host header/,
      send: () => send({}, (w) => w.headers.push(['host', 'evil.example'])),
    },
    {
      name: 'bearer key with a wrong secret (OpenAI-compatible endpoint)',
      status: 401,
      type: 'UnrecognizedClientException',
      send: () => h1('POST', '/v1/chat/completions', [['host', url.host], ['content-type', 'application/json'], ['authorization', `Bearer ${mgmt.accessKeyId}:${'y'.repeat(40)}`]], '{}'),
    },
    {
      name: 'bearer key sent twice',
      status: 401,
      type: 'UnrecognizedClientException',
      message: /more than one Authorization header/,
      send: () =>
        h1(
          'POST',
          '/v1/chat/completions',
          [['host', url.host], ['content-type', 'application/json'], ['authorization', `Bearer ${mgmt.accessKeyId}:${mgmt.secretAccessKey}`], ['authorization', 'Bearer x:y']],
          '{}',
        ),
    },
    { name: 'HTTP/2: `host` signed, sent as :authority (what HTTP/2 clients do)', status: 200, type: null, send: () => h2({}) },
    { name: 'HTTP/2: :authority signed by that name', status: 200, type: null, send: () => h2({}, { signAuthority: true }) },
    {
      name: 'HTTP/2: :authority changed after signing',
      status: 403,
      type: 'InvalidSignatureException',
      send: () => h2({}, { sendAuthority: `localhost:${url.port}` }),
    },
    { name: 'HTTP/2: STS session credentials', status: 200, type: null, send: () => h2({ creds: session }) },
    { name: 'HTTP/2: unknown key', status: 403, type: 'UnrecognizedClientException', send: () => h2({ creds: UNKNOWN }) },
  ];

  describe('the edge-case table', () => {
    for (const row of rows)
      it(`${row.name} → ${row.status} ${row.type ?? ''}`.trim(), async () => {
        const a = await row.send();
        assert.equal(a.status, row.status, `${row.name}: ${a.status} ${a.type} ${a.message}`);
        assert.equal(a.type, row.type, `${row.name}: ${a.message}`);
        if (row.message) assert.match(a.message, row.message);
      });

    it('HTTP/2: a duplicated authorization header is refused too', async () => {
      // Node's HTTP/2 client refuses to send one: the HEADERS frame is written by hand (HPACK literals, no Huffman).
      const signed = await sign({});
      const lit = (name: string, value: string) => {
        const n = Buffer.from(name);
        const v = Buffer.from(value);
        const len = (x: number) => (x < 127 ? Buffer.from([x]) : Buffer.from([127, ...varint(x - 127)]));
        return Buffer.concat([Buffer.from([0x00]), len(n.length), n, len(v.length), v]);
      };
      const varint = (x: number): number[] => (x < 128 ? [x] : [(x & 127) | 128, ...varint(x >> 7)]);
      const block = Buffer.concat([
        Buffer.from([0x82, 0x86]), // :method GET, :scheme http
        lit(':path', '/guardrails'),
        lit(':authority', url.host),
        ...Object.entries(signed)
          .filter(([k]) => k !== 'host')
          .map(([k, v]) => lit(k, v)),
        lit('authorization', 'AWS4-HMAC-SHA256 garbage'),
      ]);
      const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
        const h = Buffer.alloc(9);
        h.writeUIntBE(payload.length, 0, 3);
        h[3] = type;
        h[4] = flags;
        h.writeUInt32BE(stream, 5);
        return Buffer.concat([h, payload]);
      };
      const body = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(Number(url.port), url.hostname, () =>
          sock.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0, Buffer.alloc(0)), frame(1, 0x05, 1, block)])),
        );
        let buf = Buffer.alloc(0);
        let data = '';
        sock.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
            const len = buf.readUIntBE(0, 3);
            const [type, flags] = [buf[3], buf[4] ?? 0];
            if (type === 0) {
              data += buf.subarray(9, 9 + len).toString();
              if (flags & 1) {
                sock.destroy();
                resolve(data);
              }
            }
            buf = buf.subarray(9 + len);
          }
        });
        sock.on('error', reject);
      });
      assert.equal((JSON.parse(body) as { __type: string }).__type, 'IncompleteSignatureException');
    });
  });

  describe('signatures and secrets are compared in constant time', () => {
    it('every request goes through crypto.timingSafeEqual (signature, bearer secret, session token)', async () => {
      // Observed at run time: node:crypto's export is replaced by a spy and the ESM bindings re-synced, so the
      // server in this process calls the spy. A timing measurement over the network would be too noisy to prove
      // anything; this proves the comparison is the constant-time one on every path.
      const spy = mock.method(crypto, 'timingSafeEqual');
      syncBuiltinESMExports();
      try {
        assert.equal((await send({})).status, 200);
        const sigCalls = spy.mock.calls.length;
        assert.ok(sigCalls >= 1, 'a SigV4 signature');
        assert.equal((await send({ creds: { accessKeyId: mgmt.accessKeyId, secretAccessKey: UNKNOWN.secretAccessKey } })).type, 'InvalidSignatureException');
        assert.ok(spy.mock.calls.length > sigCalls, 'a wrong signature is compared the same way');
        const sizes = spy.mock.calls.map((c) => (c.arguments[0] as Buffer).length);
        assert.ok(sizes.includes(32), 'the 32-byte HMAC-SHA256 signatures');
        const before = spy.mock.calls.length;
        await h1('POST', '/v1/chat/completions', [['host', url.host], ['content-type', 'application/json'], ['authorization', `Bearer ${mgmt.accessKeyId}:${'y'.repeat(40)}`]], '{}');
        assert.ok(spy.mock.calls.length > before, 'a bearer secret');
        const before2 = spy.mock.calls.length;
        await send({ creds: { ...session, sessionToken: `${session.sessionToken?.slice(0, -4)}AAAA` } });
        assert.ok(spy.mock.calls.length > before2, 'a session token (its SHA-256)');
      } finally {
        spy.mock.restore();
        syncBuiltinESMExports();
      }
    });

    it('sigv4.ts compares the signature with timingSafeEqual and never with string equality', () => {
      // The structural half: the source keeps the comparison that the run-time check above observed.
      const src = readFileSync(new URL('../../src/server/sigv4.ts', import.meta.url), 'utf8');
      assert.match(src, /if \(a\.length !== b\.length \|\| !timingSafeEqual\(a, b\)\)\s*throw new ServiceError\('InvalidSignatureException', SIGNATURE_MISMATCH\)/);
      assert.doesNotMatch(src, /(expected|signature)\s*[!=]==?\s*(expected|signature)\b/);
    });
  });

  describe('limits on failed authentication attempts', () => {
    const ok = (a: Answer, what: string) => assert.equal(a.status, 200, `${what}: ${a.status} ${a.type} ${a.message}`);
    const throttled = (a: Answer, scope: RegExp, what: string) => {
      assert.equal(a.status, 429, `${what}: ${a.status} ${a.type} ${a.message}`);
      assert.match(a.message, scope, what);
      assert.match(a.message, /try again in \d+ s\./, what);
      const retry = Number(a.headers['retry-after']);
      assert.ok(retry >= 1 && retry <= DEFAULT_AUTH_FAILURE_LIMITS.windowMs / 1000, `retry-after ${a.headers['retry-after']}`);
    };

    it(`${PER_ADDRESS} failures from one address, then even a correctly signed request from it gets ThrottlingException`, async () => {
      for (let i = 0; i < PER_ADDRESS; i++) {
        const a = await send({ creds: UNKNOWN }, from('203.0.113.7'));
        assert.equal(a.type, 'UnrecognizedClientException', `failure ${i + 1}`);
      }
      const refused = await send({}, from('203.0.113.7'));
      throttled(refused, /from this address/, 'good key, refused address');
      assert.equal(refused.type, 'ThrottlingException');
      // Refused before the key lookup and the signature: an unknown key and a garbage signature get the same.
      const garbage = await send({ creds: UNKNOWN }, (w) => {
        from('203.0.113.7')(w);
        setHeader('authorization', authorizationOf(w).replace(/Signature=.*/, `Signature=${'f'.repeat(64)}`))(w);
      });
      assert.equal(garbage.type, 'ThrottlingException');
      const reached = logs.filter((l) => l['event'] === 'AuthFailureLimitReached' && l['address'] === '203.0.113.7');
      assert.equal(reached.length, 1, 'logged once when the limit is reached');
      assert.equal(reached[0]?.['scope'], 'address');
    });

    it('the refusal speaks each protocol: awsQuery Throttling, OpenAI rate_limit_error, over HTTP/2 too', async () => {
      const sts = await send(
        { method: 'POST', path: '/', service: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        from('203.0.113.7'),
      );
      assert.equal(sts.status, 429);
      assert.equal(sts.type, 'Throttling');
      const bearer = await h1(
        'POST',
        '/v1/chat/completions',
        [['host', url.host], ['content-type', 'application/json'], ['authorization', `Bearer ${mgmt.accessKeyId}:${mgmt.secretAccessKey}`], ['x-forwarded-for', '203.0.113.7']],
        JSON.stringify({ model: 'parapet.demo-v1', messages: [{ role: 'user', content: 'hi' }] }),
      );
      assert.equal(bearer.status, 429);
      assert.equal((JSON.parse(bearer.body) as { error: { type: string; code: string } }).error.type, 'rate_limit_error');
      assert.equal(bearer.type, 'ThrottlingException');
      const overH2 = await h2({}, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      assert.equal(overH2.status, 429);
      assert.equal(overH2.type, 'ThrottlingException');
    });

    it('correctly signed requests from other addresses, and from loopback itself, are unaffected', async () => {
      ok(await send({}, from('198.51.100.1')), 'another address');
      ok(await send({ creds: userKey }, from('198.51.100.1')), 'another key from another address');
      ok(await send({}), 'loopback, forwarding nothing');
      ok(await h2({}, { headers: { 'x-forwarded-for': '198.51.100.1' } }), 'another address over HTTP/2');
    });

    it(`${PER_KEY} failures naming one key (from several addresses) refuse that key from new addresses only`, async () => {
      ok(await send({ creds: lockKey }, from('198.51.100.20')), 'the key works from its usual address');
      const wrong = { accessKeyId: lockKey.accessKeyId, secretAccessKey: UNKNOWN.secretAccessKey };
      for (let i = 0; i < PER_KEY; i++) {
        const a = await send({ creds: wrong }, from(`192.0.2.${1 + Math.floor(i / PER_ADDRESS)}`));
        assert.equal(a.type, 'InvalidSignatureException', `failure ${i + 1}`);
      }
      throttled(await send({ creds: lockKey }, from('192.0.2.77')), /with this access key/, 'the key from a new address');
      ok(await send({ creds: lockKey }, from('198.51.100.20')), 'the key from the address it authenticated from before');
      ok(await send({}, from('192.0.2.78')), 'another key from a clean address');
      throttled(await send({}, from('192.0.2.1')), /from this address/, 'another key from an address that failed too often');
      const reached = logs.filter((l) => l['event'] === 'AuthFailureLimitReached' && l['scope'] === 'key');
      assert.deepEqual(reached.map((l) => l['accessKeyId']), [lockKey.accessKeyId]);
    });

    it('the refusals end with the window', async () => {
      offset += DEFAULT_AUTH_FAILURE_LIMITS.windowMs + 1_000;
      ok(await send({}, from('203.0.113.7')), 'the address');
      ok(await send({ creds: lockKey }, from('192.0.2.77')), 'the key');
    });
  });
});
