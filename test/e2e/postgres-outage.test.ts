/**
 * A replica whose PostgreSQL store becomes unreachable fails closed and recovers on its own. The outage is
 * simulated by a TCP proxy between the replica and the shared server (the server itself keeps running for the
 * other tests): first a server that went down (connections reset, new ones refused), then a network that stops
 * answering (nothing refused, nothing answered). While cut: enforced model calls and control-plane calls are
 * refused with ServiceUnavailableException (the model is not called), `/ready` says 503 and why, `/health`
 * stays 200. Once restored: calls succeed and `/ready` is 200 again within seconds, with no restart, and the
 * change feed listens again. Runs when PARAPET_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, ConverseCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CuttableProxy } from '../helpers/cuttable-proxy.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../helpers/fake-openai-upstream.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';
import { dropSchemas } from '../helpers/postgres.ts';

const URL_ = process.env.PARAPET_TEST_POSTGRES_URL;
if (!URL_) console.log('# SKIPPED PostgreSQL outage tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const MODEL = 'acme.chat-v1';
const CONNECT_MS = 1_000;
const QUERY_MS = 2_000;

/** The error an SDK call rejected with (fails if it succeeded). */
async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('the call succeeded while the database was cut off');
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('PostgreSQL outage: fail closed, recover without a restart', { skip: !URL_ }, () => {
  const schema = `e2e_outage_${randomBytes(4).toString('hex')}`;
  const logs: Array<Record<string, unknown>> = [];
  let proxy: CuttableProxy;
  let upstream: FakeOpenAI;
  let t: TestServer;
  let member: { accessKeyId: string; secretAccessKey: string };
  let memberRuntime: BedrockRuntimeClient;
  let demoGuardrailId: string;

  before(async () => {
    const target = new URL(URL_ ?? '');
    proxy = await CuttableProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(URL_ ?? '');
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    upstream = await startFakeOpenAI();
    t = await startTestServer({
      database: viaProxy.toString(),
      databaseSchema: schema,
      databaseTimeouts: { connectMs: CONNECT_MS, queryMs: QUERY_MS },
      masterKey: randomBytes(32).toString('hex'),
      // The demo organization: its baseline guardrail is enforced on every account in us-east-1.
      demo: true,
      models: { providers: { fake: { type: 'openai', baseUrl: upstream.url } }, models: { [MODEL]: { provider: 'fake', model: 'gpt-fake' } } },
      gateway: { auditHoldMs: 1_500 },
      log: (line) => logs.push(line),
    });
    const a = t.server.credentials.accounts.find((x) => x.name === 'team-a');
    assert.ok(a);
    member = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
    memberRuntime = t.runtime('us-east-1', member);
    const listed = await t.bedrock().send(new ListGuardrailsCommand({}));
    demoGuardrailId = listed.guardrails?.find((g) => g.name === 'parapet-demo-baseline')?.id ?? '';
    assert.ok(demoGuardrailId);
  });

  after(async () => {
    proxy?.restore();
    await t?.stop();
    await upstream?.close();
    await proxy?.close();
    await dropSchemas(URL_ as string, schema);
  });

  const converse = (text = 'hello there') => memberRuntime.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text }] }] }));
  const apply = () =>
    t.runtime().send(
      new ApplyGuardrailCommand({ guardrailIdentifier: demoGuardrailId, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'hello' } }] }),
    );
  const createGuardrail = (name: string) =>
    t.bedrock().send(new CreateGuardrailCommand({ name, blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'zanzibar' }] } }));
  const ready = async () => {
    const res = await fetch(`${t.server.url}/ready`);
    return { status: res.status, body: (await res.json()) as { status: string; store?: string; reason?: string } };
  };
  const health = async () => (await fetch(`${t.server.url}/health`)).status;

  /** Every refusal while cut: ServiceUnavailableException (HTTP 503) naming the unreachable store. */
  function assertRefused(e: Error & { $metadata?: { httpStatusCode?: number } }, what: string): void {
    assert.equal(e.name, 'ServiceUnavailableException', `${what}: ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, 503, what);
    assert.match(e.message, /The Parapet store \(PostgreSQL at 127\.0\.0\.1:\d+\/\w+\) is unreachable .*guardrails fail closed/, what);
  }

  async function assertRecovered(cutAt: number): Promise<void> {
    proxy.restore();
    const readyAfter = await until('/ready answers 200', async () => (await ready()).status === 200, 8_000);
    const before = upstream.requests.length;
    const r = await converse();
    assert.match(r.output?.message?.content?.[0]?.text ?? '', /You said: hello there/);
    assert.equal(upstream.requests.length, before + 1, 'the model is called again');
    assert.equal((await apply()).action, 'NONE');
    const g = await createGuardrail(`after-${Date.now()}`);
    assert.ok(g.guardrailId);
    await until('the change feed listens again', async () => (t.server.store.changes as { listening?: boolean } | undefined)?.listening === true, 10_000);
    const verify = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit/verify' });
    assert.equal(verify.status, 200);
    assert.equal(verify.body['ok'], true);
    assert.ok(readyAfter < 8_000, `ready ${readyAfter} ms after the database returned (cut for ${Date.now() - cutAt} ms)`);
  }

  it('serves guarded calls while the database answers', async () => {
    const r = await converse();
    assert.match(r.output?.message?.content?.[0]?.text ?? '', /You said/);
    assert.equal(upstream.requests.length, 1);
    assert.equal((await apply()).action, 'NONE');
    assert.deepEqual((await ready()).body.status, 'ready');
  });

  it('database down (connections reset, new ones refused): every call that needs it gets 503, the model is not called', async () => {
    const calledBefore = upstream.requests.length;
    const cutAt = Date.now();
    await proxy.cut('refuse');

    assertRefused(await failure(converse()), 'Converse (enforced guardrail)');
    assertRefused(await failure(apply()), 'ApplyGuardrail');
    assertRefused(await failure(createGuardrail('during-outage')), 'CreateGuardrail');
    assertRefused(await failure(t.bedrock().send(new ListGuardrailsCommand({}))), 'ListGuardrails');
    assertRefused(await failure(t.client(OrganizationsClient).send(new DescribeOrganizationCommand({}))), 'Organizations DescribeOrganization');
    const admin = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit' });
    assert.equal(admin.status, 503);
    assert.equal(admin.errorType, 'ServiceUnavailableException');
    // The OpenAI-compatible endpoint: the same refusal in OpenAI's error shape.
    const openai = await fetch(`${t.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.accessKeyId}:${member.secretAccessKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(openai.status, 503);
    assert.equal(((await openai.json()) as { error: { code: string } }).error.code, 'ServiceUnavailableException');
    assert.equal(upstream.requests.length, calledBefore, 'no call reached the model unguarded (or at all)');

    assert.equal(await health(), 200, '/health: the process is alive');
    // /ready reuses an answer for up to 1 s (a load balancer's polling must not load the database).
    await until('/ready says 503', async () => (await ready()).status === 503, 2_500);
    const r = await ready();
    assert.equal(r.status, 503);
    assert.equal(r.body.status, 'unavailable');
    assert.equal(r.body.store, 'postgres');
    assert.match(r.body.reason ?? '', /The Parapet store \(PostgreSQL at 127\.0\.0\.1:\d+\/\w+\) is unreachable/);
    assert.ok(Date.now() - cutAt < 10_000, 'every refusal came quickly');

    // The refused model calls' audit records were held, then reported as lost in the log: never dropped silently.
    await until('the held refusal records are reported', async () => logs.some((l) => l['error'] === 'AuditRecordLost'), 5_000);
    assert.ok(!logs.some((l) => l['error'] === 'InternalServerException'), 'no 500s');

    await assertRecovered(cutAt);
  });

  it('database unanswering (a network partition): calls fail with 503 within the timeouts instead of hanging', async () => {
    const calledBefore = upstream.requests.length;
    const cutAt = Date.now();
    await proxy.cut('blackhole');
    // Past the read cache's 1 s bound: what the replica knew of the enforcement must be read again.
    await new Promise((r) => setTimeout(r, 1_100));

    const started = Date.now();
    const [conv, app, create, r, h] = await Promise.all([
      failure(converse()),
      failure(apply()),
      failure(createGuardrail('during-partition')),
      ready(),
      health(),
    ]);
    const took = Date.now() - started;
    assertRefused(conv, 'Converse (enforced guardrail)');
    assertRefused(app, 'ApplyGuardrail');
    assertRefused(create, 'CreateGuardrail');
    assert.equal(upstream.requests.length, calledBefore, 'the model was not called');
    assert.equal(h, 200);
    assert.equal(r.status, 503);
    assert.match(r.body.reason ?? '', /did not answer within|unreachable/);
    // Bounded by the connection and query timeouts (and the audit hold), never by TCP's own minutes.
    assert.ok(took < CONNECT_MS + QUERY_MS + 4_000, `refused after ${took} ms`);

    await assertRecovered(cutAt);
    assert.ok(!logs.some((l) => l['error'] === 'InternalServerException'), 'no 500s');
  });
});
