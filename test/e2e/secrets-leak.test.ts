/**
 * Secrets never leave the store: a `parapet serve` process (PARAPET_LOG=json, every request logged) gets calls
 * that succeed and calls that fail (bad signature, unknown key, deleted and inactive keys, a tampered session
 * token, malformed bodies, wrong console sign-ins); then everything it wrote to stdout and stderr, every audit
 * record and every error body received are searched for every secret access key and session token issued and
 * for the master key (hex, base64, base64url). The database files must not hold any of them in clear either.
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BedrockClient, CreateGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { ORG_ACCESS_ROLE, roleArn } from '../../src/control/accounts.ts';
import { Sha256 } from '../../src/core/sha256.ts';
import { createAesGcmCipher, readKeyFile } from '../../src/store/crypto.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;
const BANNER = /Parapet is listening on (http:\/\/\S+)/;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface ServeProcess {
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `parapet serve` as its own process, every byte of its stdout and stderr kept. */
async function serve(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['PARAPET_MASTER_KEY', 'PARAPET_DATABASE_URL', 'PARAPET_DATABASE_SCHEMA', 'PARAPET_DATA_DIR']) delete clean[k];
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [BIN, '--data-dir', dataDir, 'serve', '--port', '0', '--no-quotas'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...clean, PARAPET_LOG: 'json', ...env } },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setInterval(() => {
      const m = BANNER.exec(out);
      if (m?.[1]) {
        clearInterval(timer);
        res(m[1]);
      }
    }, 20);
    void exited.then(() => {
      clearInterval(timer);
      rej(new Error(`parapet serve exited:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A SigV4-signed request with any body (malformed ones included); the answer's body as text. */
async function signedRaw(
  url: string,
  creds: Creds,
  o: { method?: string; path: string; body: string; service: string; headers?: Record<string, string> },
): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: o.service, sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign({
    method: o.method ?? 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: o.path,
    headers: { host: u.host, ...o.headers },
    body: o.body,
  });
  const headers = { ...signed.headers } as Record<string, string>;
  delete headers['host'];
  const res = await fetch(`${url}${o.path}`, { method: o.method ?? 'POST', headers, body: o.body });
  return { status: res.status, text: await res.text() };
}

describe('secrets never leak into output, audit records or error bodies', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parapet-leak-'));
  const issued: string[] = [];
  const errorBodies: string[] = [];
  let server: ServeProcess;
  let firstStartOutput = '';
  let management: Creds;
  let masterKey: Buffer;

  const sdk = <C extends { destroy(): void }>(Ctor: new (c: { region: string; endpoint: string; credentials: Creds; maxAttempts: number }) => C, creds: Creds): C =>
    new Ctor({ region: 'us-east-1', endpoint: server.url, credentials: creds, maxAttempts: 1 });

  /** A call that must fail: its message, its metadata and its raw body (when the SDK kept it) are kept for the scan. */
  async function failing(p: Promise<unknown>, expected: RegExp): Promise<void> {
    const e = await p.then(
      () => assert.fail('the call succeeded'),
      (err: unknown) => err as Error & { name: string },
    );
    assert.match(`${e.name}: ${e.message}`, expected);
    errorBodies.push(`${e.name}: ${e.message} ${JSON.stringify(e)}`);
  }

  async function raw(creds: Creds, o: Parameters<typeof signedRaw>[2], expectedStatus: number): Promise<void> {
    const r = await signedRaw(server.url, creds, o);
    assert.equal(r.status, expectedStatus, r.text);
    errorBodies.push(r.text);
  }

  before(async () => {
    // First start: bootstraps, and prints the management key once by design (the operator's only copy besides
    // credentials.json). That run's output is checked on its own below; the scanned run is the second one.
    const first = await serve(dataDir, { PARAPET_DEMO: '1' });
    await first.stop();
    firstStartOutput = first.output(); // after the exit: the key lines follow the banner
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { accounts: Array<Creds & { role: string; accountId: string; name: string }> };
    for (const a of creds.accounts) issued.push(a.secretAccessKey);
    const mgmt = creds.accounts.find((a) => a.role === 'management');
    const member = creds.accounts.find((a) => a.name === 'team-a');
    assert.ok(mgmt && member);
    management = { accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey };
    const key = readKeyFile(join(dataDir, 'master.key'));
    assert.ok(key);
    masterKey = key;
    server = await serve(dataDir);

    // Successful calls with every kind of credential.
    const iam = sdk(IAMClient, management);
    await iam.send(new CreateUserCommand({ UserName: 'leaky' }));
    await iam.send(new CreateUserCommand({ UserName: 'leaky2' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'leaky',
        PolicyName: 'list',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:ListGuardrails', Resource: '*' }] }),
      }),
    );
    const keys: Creds[] = [];
    for (let i = 0; i < 3; i++) {
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: i < 2 ? 'leaky' : 'leaky2' }))).AccessKey; // two keys per user at most
      assert.ok(k?.AccessKeyId && k.SecretAccessKey);
      keys.push({ accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey });
      issued.push(k.SecretAccessKey);
    }
    // `doomed` and `sleepy` are never used before they are deleted / deactivated (a used key stays in the key cache for up to 5 s).
    const [user, doomed, sleepy] = keys as [Creds, Creds, Creds];
    await sdk(BedrockClient, user).send(new ListGuardrailsCommand({}));
    await sdk(BedrockClient, management).send(
      new CreateGuardrailCommand({ name: 'leak-check', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'forbidden' }] } }),
    );
    const assumed = (
      await sdk(STSClient, management).send(new AssumeRoleCommand({ RoleArn: roleArn(member.accountId, ORG_ACCESS_ROLE), RoleSessionName: 'leak', DurationSeconds: 900 }))
    ).Credentials;
    assert.ok(assumed?.AccessKeyId && assumed.SecretAccessKey && assumed.SessionToken);
    const session: Creds = { accessKeyId: assumed.AccessKeyId, secretAccessKey: assumed.SecretAccessKey, sessionToken: assumed.SessionToken };
    issued.push(session.secretAccessKey, assumed.SessionToken);
    await sdk(STSClient, session).send(new GetCallerIdentityCommand({}));
    const chat = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessKeyId}:${user.secretAccessKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'parapet.demo-v1', messages: [{ role: 'user', content: 'hello' }] }),
    });
    assert.ok(chat.status === 200 || chat.status === 403, `chat ${chat.status}`); // the user may not invoke; either way it was authenticated

    // Failing calls.
    const wrongSecret = { ...user, secretAccessKey: randomBytes(30).toString('base64').slice(0, 40) };
    await failing(sdk(BedrockClient, wrongSecret).send(new ListGuardrailsCommand({})), /SignatureDoesNotMatch|signature/i);
    await failing(sdk(BedrockClient, { accessKeyId: 'AKIAUNKNOWNUNKNOWN12', secretAccessKey: user.secretAccessKey }).send(new ListGuardrailsCommand({})), /UnrecognizedClient|InvalidClientTokenId|security token/i);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'leaky2', AccessKeyId: sleepy.accessKeyId, Status: 'Inactive' }));
    await failing(sdk(BedrockClient, sleepy).send(new ListGuardrailsCommand({})), /./);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'leaky', AccessKeyId: doomed.accessKeyId }));
    await failing(sdk(BedrockClient, doomed).send(new ListGuardrailsCommand({})), /./);
    await failing(sdk(STSClient, { ...session, sessionToken: `${session.sessionToken?.slice(0, -4)}AAAA` }).send(new GetCallerIdentityCommand({})), /./);
    await failing(sdk(STSClient, { ...session, sessionToken: undefined }).send(new GetCallerIdentityCommand({})), /./);
    await failing(sdk(IAMClient, management).send(new CreateAccessKeyCommand({ UserName: 'nobody-by-this-name' })), /NoSuchEntity|cannot be found|not/i);

    // Malformed bodies, correctly signed.
    await raw(management, { path: '/guardrails', body: '{"name": "x", ', service: 'bedrock', headers: { 'content-type': 'application/json' } }, 400);
    await raw(management, { path: '/guardrail/abc/version/1/apply', body: '{"source": 12, "content": "nope"}', service: 'bedrock', headers: { 'content-type': 'application/json' } }, 400);
    await raw(management, { path: '/', body: 'Action=CreateAccessKey&Version=2010-05-08&UserName=%ZZ', service: 'iam', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400);
    await raw(session, { path: '/', body: '{not json', service: 'organizations', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization', 'x-amz-security-token': session.sessionToken ?? '' } }, 400);
    // Bearer keys and console sign-ins: wrong, deleted, malformed.
    for (const [authorization, body] of [
      [`Bearer ${user.accessKeyId}:${wrongSecret.secretAccessKey}`, '{"model":"parapet.demo-v1","messages":[]}'],
      [`Bearer ${doomed.accessKeyId}:${doomed.secretAccessKey}`, '{"model":"parapet.demo-v1","messages":[]}'],
      [`Bearer ${management.accessKeyId}:${management.secretAccessKey}`, '{"model": [ broken'],
    ] as const) {
      const r = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
      assert.ok(r.status >= 400, `${r.status}`);
      errorBodies.push(await r.text());
    }
    for (const body of [
      JSON.stringify({ accessKeyId: management.accessKeyId, secretAccessKey: wrongSecret.secretAccessKey }),
      JSON.stringify({ accessKeyId: doomed.accessKeyId, secretAccessKey: doomed.secretAccessKey }),
      JSON.stringify({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: 'tampered' }),
      `{"accessKeyId": "${management.accessKeyId}", "secretAccessKey": "${management.secretAccessKey}"`,
      // A secret pasted without quotes: JSON.parse's own message would quote the text around it.
      `{"accessKeyId":"${management.accessKeyId}","secretAccessKey":${management.secretAccessKey}}`,
      `{"accessKeyId":"${session.accessKeyId}","secretAccessKey":"${session.secretAccessKey}","sessionToken":${session.sessionToken}}`,
    ]) {
      const r = await fetch(`${server.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body });
      assert.ok(r.status >= 400, `console sign-in answered ${r.status}`);
      errorBodies.push(await r.text());
    }
    await server.stop();
  });

  after(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Every secret issued (whole, and its first and last 10 characters: excerpts leak too) and the master key, in the forms it could be written in. */
  function needles(): Array<[string, string]> {
    const out: Array<[string, string]> = issued.flatMap((s, i): Array<[string, string]> => [
      [`issued secret #${i}`, s],
      [`the start of issued secret #${i}`, s.slice(0, 10)],
      [`the end of issued secret #${i}`, s.slice(-10)],
    ]);
    for (const enc of ['hex', 'base64', 'base64url'] as const) out.push([`master key (${enc})`, masterKey.toString(enc).replace(/=+$/, '')]);
    return out;
  }

  function assertClean(where: string, text: string): void {
    for (const [what, secret] of needles()) assert.ok(!text.includes(secret), `${what} appears in ${where}`);
  }

  it('issued secrets and session tokens to scan for', () => {
    assert.ok(issued.length >= 7, `${issued.length}`);
    assert.ok(errorBodies.length >= 15, `${errorBodies.length}`);
  });

  it('the first start prints only the management key, once, and never the master key', () => {
    assert.equal(firstStartOutput.split(management.secretAccessKey).length, 2);
    assertClean('the first start (management key aside)', firstStartOutput.replaceAll(management.secretAccessKey, ''));
  });

  it('nothing the server wrote to stdout or stderr holds a secret', () => {
    const out = server.output();
    assert.match(out, /"status":/, 'requests were logged');
    assertClean('the server output', out);
  });

  it('no error body holds a secret', () => {
    for (const [i, body] of errorBodies.entries()) assertClean(`error body #${i}: ${body.slice(0, 200)}`, body);
  });

  it('no audit record holds a secret', async () => {
    const store = await openSqliteStore({ filename: join(dataDir, 'parapet.db'), cipher: createAesGcmCipher(masterKey) });
    try {
      const state = store.state;
      assert.ok(state);
      const text = await state.read(async (r) => {
        let all = '';
        for await (const rows of r.rows('audit_log')) all += rows.map((row) => JSON.stringify(row)).join('\n');
        return all;
      });
      assert.match(text, /iam:CreateAccessKey/);
      assert.match(text, /sts:AssumeRole/);
      assertClean('the audit trail', text);
    } finally {
      await store.close();
    }
  });

  it('the database files hold no secret in clear', () => {
    for (const f of readdirSync(dataDir).filter((n) => n.startsWith('parapet.db'))) {
      const bytes = readFileSync(join(dataDir, f)).toString('latin1');
      assertClean(f, bytes);
    }
  });
});
