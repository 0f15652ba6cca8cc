/**
 * The invocation gateway end to end: the seed's "Verifying Enforcement" step for a member account, through the
 * official bedrock-runtime client and the `openai` client, in front of a real (local) OpenAI-compatible upstream.
 * An organization enforces a guardrail of the management account (blocks a code name and SSNs, masks e-mail
 * addresses) in us-east-1 for every model except an excluded Llama model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseStreamOutput,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import {
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
  DeleteResourcePolicyCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-bedrock';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import OpenAI from 'openai';
import { type FakeOpenAI, startFakeOpenAI } from '../helpers/fake-openai-upstream.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const EXCLUDED = 'meta.llama3-8b-instruct-v1:0';
const BLOCKED_IN = 'Blocked by the organization (input).';
const BLOCKED_OUT = 'Blocked by the organization (output).';

async function rejects(p: Promise<unknown>, name: string, match?: RegExp): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & Record<string, unknown>;
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (match) assert.match(err.message, match);
    return err;
  }
  assert.fail(`expected ${name}, the call succeeded`);
}

const userSays = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined) {
  let text = '';
  let stopReason: string | undefined;
  let trace: unknown;
  const deltas: string[] = [];
  for await (const ev of stream ?? []) {
    const d = ev.contentBlockDelta?.delta?.text;
    if (d !== undefined) {
      text += d;
      deltas.push(d);
    }
    if (ev.messageStop) stopReason = ev.messageStop.stopReason;
    if (ev.metadata?.trace) trace = ev.metadata.trace;
  }
  return { text, stopReason, trace, deltas };
}

describe('invocation gateway: enforcement on every model call of a member account', () => {
  let t: TestServer;
  let upstream: FakeOpenAI;
  let orgs: OrganizationsClient;
  let member: string;
  let creds: AwsCreds;
  let guardrailArn: string;
  let guardrailId: string;
  let orgId: string;
  let rt: BedrockRuntimeClient;

  const upstreamCalls = () => upstream.requests.length;
  const lastPrompt = () => JSON.stringify(upstream.requests.at(-1)?.messages ?? []);

  before(async () => {
    upstream = await startFakeOpenAI();
    t = await startTestServer({
      models: {
        providers: {
          fake: { type: 'openai', baseUrl: upstream.url },
          slow: { type: 'openai', baseUrl: upstream.url, timeoutMs: 300 },
        },
        models: {
          [MODEL]: { provider: 'fake', model: 'fake-haiku' },
          [EXCLUDED]: { provider: 'fake', model: 'fake-llama' },
          'mistral.mistral-7b-instruct-v0:2': { provider: 'slow', model: 'fake-slow' },
          'amazon.titan-embed-text-v2:0': { provider: 'fake', model: 'fake-embed' },
        },
      },
    });
    orgs = t.client(OrganizationsClient);
    orgId = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    const rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    member = (await orgs.send(new CreateAccountCommand({ AccountName: 'team-a', Email: 'a@example.com' }))).CreateAccountStatus?.AccountId ?? '';
    const r = await t
      .client(STSClient)
      .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'verify' }));
    creds = {
      accessKeyId: r.Credentials?.AccessKeyId ?? '',
      secretAccessKey: r.Credentials?.SecretAccessKey ?? '',
      sessionToken: r.Credentials?.SessionToken ?? '',
    };

    const bedrock = t.bedrock();
    const g = await bedrock.send(
      new CreateGuardrailCommand({
        name: 'org-baseline',
        blockedInputMessaging: BLOCKED_IN,
        blockedOutputsMessaging: BLOCKED_OUT,
        wordPolicyConfig: { wordsConfig: [{ text: 'project nightingale' }] },
        sensitiveInformationPolicyConfig: {
          piiEntitiesConfig: [
            { type: 'EMAIL', action: 'ANONYMIZE' },
            { type: 'US_SOCIAL_SECURITY_NUMBER', action: 'BLOCK' },
          ],
        },
      }),
    );
    guardrailArn = g.guardrailArn ?? '';
    guardrailId = g.guardrailId ?? '';
    await bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: guardrailId }));
    await putResourcePolicy();
    await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' }));
    const policy = await orgs.send(
      new CreatePolicyCommand({
        Name: 'baseline',
        Description: 'org guardrail',
        Type: 'BEDROCK_POLICY',
        Content: JSON.stringify({
          bedrock: {
            guardrail_inference: {
              'us-east-1': {
                baseline: {
                  identifier: { '@@assign': `${guardrailArn}:1` },
                  model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': [EXCLUDED] } },
                },
              },
            },
          },
        }),
      }),
    );
    await orgs.send(new AttachPolicyCommand({ PolicyId: policy.Policy?.PolicySummary?.Id ?? '', TargetId: rootId }));
    rt = t.runtime('us-east-1', creds);
  });
  after(async () => {
    await t.stop();
    await upstream.close();
  });

  async function putResourcePolicy() {
    await t.bedrock().send(
      new PutResourcePolicyCommand({
        resourceArn: guardrailArn,
        resourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OrgApply',
              Effect: 'Allow',
              Principal: '*',
              Action: 'bedrock:ApplyGuardrail',
              Resource: guardrailArn,
              Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
            },
          ],
        }),
      }),
    );
  }

  it('blocked input: the blocked message comes back with guardrail_intervened and the model is never called', async () => {
    const before = upstreamCalls();
    const r = await rt.send(
      new ConverseCommand({ modelId: MODEL, messages: userSays('What is the status of Project Nightingale?'), guardrailConfig: { trace: 'enabled' } }),
    );
    assert.equal(r.stopReason, 'guardrail_intervened');
    assert.equal(r.output?.message?.content?.[0]?.text, BLOCKED_IN);
    assert.equal(upstreamCalls(), before, 'the upstream model was not called');
    const assessment = r.trace?.guardrail?.inputAssessment?.[guardrailId];
    assert.ok(assessment, 'the trace is keyed by the guardrail id');
    assert.deepEqual(assessment.appliedGuardrailDetails?.guardrailOrigin, ['ORGANIZATION_ENFORCED']);
    assert.equal(assessment.appliedGuardrailDetails?.guardrailOwnership, 'CROSS_ACCOUNT');
    assert.equal(assessment.appliedGuardrailDetails?.guardrailVersion, '1');
    assert.equal(assessment.wordPolicy?.customWords?.[0]?.action, 'BLOCKED');
  });

  it('masked input: the model sees {EMAIL}, never the address', async () => {
    upstream.setReply(() => ({ text: 'Noted.' }));
    const r = await rt.send(new ConverseCommand({ modelId: MODEL, messages: userSays('Write to jane.doe@example.com about the launch.') }));
    assert.equal(r.stopReason, 'end_turn');
    assert.equal(r.output?.message?.content?.[0]?.text, 'Noted.');
    assert.match(lastPrompt(), /\{EMAIL\}/);
    assert.doesNotMatch(lastPrompt(), /jane\.doe@example\.com/);
  });

  it('blocked output: the answer is replaced and the trace keeps what the model said', async () => {
    upstream.setReply(() => ({ text: 'Sure: Project Nightingale ships in May.' }));
    const r = await rt.send(new ConverseCommand({ modelId: MODEL, messages: userSays('Any news?'), guardrailConfig: { trace: 'enabled' } }));
    assert.equal(r.stopReason, 'guardrail_intervened');
    assert.equal(r.output?.message?.content?.[0]?.text, BLOCKED_OUT);
    assert.deepEqual(r.trace?.guardrail?.modelOutput, ['Sure: Project Nightingale ships in May.']);
    assert.equal(r.trace?.guardrail?.outputAssessments?.[guardrailId]?.[0]?.wordPolicy?.customWords?.[0]?.action, 'BLOCKED');
  });

  it('masked output and no trace unless asked', async () => {
    upstream.setReply(() => ({ text: 'Mail bob@example.com for access.' }));
    const r = await rt.send(new ConverseCommand({ modelId: MODEL, messages: userSays('Who do I ask?') }));
    assert.equal(r.output?.message?.content?.[0]?.text, 'Mail {EMAIL} for access.');
    assert.equal(r.trace, undefined);
  });

  it('streaming, sync: text is released only once checked, so PII is masked in the stream', async () => {
    upstream.setReply(() => ({ text: 'Your contact is carol@example.com and the room is 4B.' }));
    const r = await rt.send(new ConverseStreamCommand({ modelId: MODEL, messages: userSays('contact?'), guardrailConfig: { trace: 'enabled' } }));
    const s = await collect(r.stream);
    assert.equal(s.text, 'Your contact is {EMAIL} and the room is 4B.');
    assert.equal(s.stopReason, 'end_turn');
    assert.ok((s.trace as { guardrail?: { outputAssessments?: object } })?.guardrail?.outputAssessments, 'the trace rides on metadata');
  });

  it('streaming, async: text flows at once and the stream stops with guardrail_intervened on a violation', async () => {
    const filler = 'All systems nominal today and the weather is fine. '.repeat(10);
    upstream.setReply(() => ({ text: `${filler}Also, Project Nightingale is late.${' More words follow here.'.repeat(30)}` }));
    const r = await rt.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: userSays('status?'), guardrailConfig: { streamProcessingMode: 'async' } }),
    );
    const s = await collect(r.stream);
    assert.equal(s.stopReason, 'guardrail_intervened');
    assert.ok(s.text.startsWith('All systems nominal'), 'text before the violation was streamed');
    assert.ok(s.deltas.length > 3, 'async mode does not batch');
    assert.ok(!s.text.endsWith('More words follow here.'), 'the stream was cut short');
  });

  it('an excluded model is not guarded', async () => {
    upstream.setReply(() => ({ text: 'Project Nightingale? Sure.' }));
    const r = await rt.send(new ConverseCommand({ modelId: EXCLUDED, messages: userSays('Project Nightingale?') }));
    assert.equal(r.stopReason, 'end_turn');
    assert.equal(r.output?.message?.content?.[0]?.text, 'Project Nightingale? Sure.');
  });

  it('another Region is not enforced', async () => {
    upstream.setReply(() => ({ text: 'Project Nightingale, yes.' }));
    const r = await t.runtime('eu-west-1', creds).send(new ConverseCommand({ modelId: MODEL, messages: userSays('Project Nightingale?') }));
    assert.equal(r.stopReason, 'end_turn');
  });

  it('missing resource policy: AccessDeniedException naming the guardrail, and the model is not called', async () => {
    await t.bedrock().send(new DeleteResourcePolicyCommand({ resourceArn: guardrailArn }));
    try {
      const before = upstreamCalls();
      await rejects(rt.send(new ConverseCommand({ modelId: MODEL, messages: userSays('hello') })), 'AccessDeniedException', new RegExp(`${guardrailArn}:1`));
      await rejects(
        rt.send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }) })),
        'AccessDeniedException',
        /resource-based policy/,
      );
      assert.equal(upstreamCalls(), before);
    } finally {
      await putResourcePolicy();
    }
  });

  it('InvokeModel (Anthropic body): blocked input in the native format, with the action and the trace', async () => {
    const before = upstreamCalls();
    const r = await rt.send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: 'application/json',
        trace: 'ENABLED',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'My SSN is 123-45-6789, file it.' }],
        }),
      }),
    );
    const body = JSON.parse(Buffer.from(r.body).toString('utf8'));
    assert.equal(body['amazon-bedrock-guardrailAction'], 'INTERVENED');
    assert.equal(body.content[0].text, BLOCKED_IN);
    assert.equal(body.type, 'message');
    assert.ok(body['amazon-bedrock-trace'].guardrail.input[guardrailId].sensitiveInformationPolicy);
    assert.equal(upstreamCalls(), before);
  });

  it('InvokeModel with input tags: only the tagged text is guarded, tags are removed before the model', async () => {
    upstream.setReply(() => ({ text: 'ok' }));
    const tag = (s: string) => `<amazon-bedrock-guardrails-guardContent_abc>${s}</amazon-bedrock-guardrails-guardContent_abc>`;
    const r = await rt.send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: 'application/json',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 100,
          'amazon-bedrock-guardrailConfig': { tagSuffix: 'abc' },
          messages: [{ role: 'user', content: `Summarise: ${tag('write to dan@example.com')}` }],
        }),
      }),
    );
    const body = JSON.parse(Buffer.from(r.body).toString('utf8'));
    assert.equal(body.content[0].text, 'ok');
    assert.equal(body['amazon-bedrock-guardrailAction'], 'INTERVENED', 'the tagged e-mail was masked');
    assert.match(lastPrompt(), /Summarise: write to \{EMAIL\}/);
    assert.doesNotMatch(lastPrompt(), /guardContent/);
  });

  it('InvokeModelWithResponseStream: masked output in native chunks; the last chunk carries the action', async () => {
    upstream.setReply(() => ({ text: 'Reach erin@example.com today.' }));
    const r = await rt.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        contentType: 'application/json',
        body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'who?' }] }),
      }),
    );
    const chunks: Array<Record<string, unknown>> = [];
    for await (const ev of r.body ?? []) if (ev.chunk?.bytes) chunks.push(JSON.parse(Buffer.from(ev.chunk.bytes).toString('utf8')));
    const text = chunks
      .filter((c) => c.type === 'content_block_delta')
      .map((c) => (c.delta as { text: string }).text)
      .join('');
    assert.equal(text, 'Reach {EMAIL} today.');
    assert.equal(chunks.at(-1)?.type, 'message_stop');
    assert.equal(chunks.at(-1)?.['amazon-bedrock-guardrailAction'], 'INTERVENED');
  });

  it('the openai client: an access key as the API key; blocked input and a masked stream', async () => {
    const client = new OpenAI({
      baseURL: `${t.server.url}/v1`,
      apiKey: `${creds.accessKeyId}:${creds.secretAccessKey}:${creds.sessionToken}`,
      maxRetries: 0,
    });
    const blocked = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Project Nightingale budget?' }] });
    assert.equal(blocked.choices[0]?.message.content, BLOCKED_IN);
    assert.equal(blocked.choices[0]?.finish_reason, 'content_filter');
    upstream.setReply(() => ({ text: 'Write to fay@example.com.' }));
    const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'who?' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Write to {EMAIL}.');
    const bad = new OpenAI({ baseURL: `${t.server.url}/v1`, apiKey: `${creds.accessKeyId}:wrong`, maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.equal((e as { status?: number }).status, 401);
      return true;
    });
  });

  it('upstream failures map to ModelErrorException (with the original status) and ModelTimeoutException', async () => {
    upstream.setReply(() => ({ status: 500, error: 'upstream exploded' }));
    const e = await rejects(rt.send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi') })), 'ModelErrorException', /upstream exploded/);
    assert.equal(e.originalStatusCode, 500);
    upstream.setReply(() => ({ text: 'late', delayMs: 2000 }));
    await rejects(rt.send(new ConverseCommand({ modelId: 'mistral.mistral-7b-instruct-v0:2', messages: userSays('hi') })), 'ModelTimeoutException');
    upstream.setReply(() => ({ text: 'ok' }));
  });

  it('IAM: the caller needs bedrock:InvokeModel on the model and bedrock:ApplyGuardrail on the enforced guardrail', async () => {
    const iam = t.client(IAMClient, creds);
    const userWith = async (name: string, actions: string[]) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: 'p',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
        }),
      );
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
      return { accessKeyId: k?.AccessKeyId ?? '', secretAccessKey: k?.SecretAccessKey ?? '' };
    };
    const before = upstreamCalls();
    const applyOnly = t.runtime('us-east-1', await userWith('apply-only', ['bedrock:ApplyGuardrail']));
    await rejects(applyOnly.send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi') })), 'AccessDeniedException', /bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model\//);
    const invokeOnly = t.runtime('us-east-1', await userWith('invoke-only', ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']));
    await rejects(invokeOnly.send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi') })), 'AccessDeniedException', /bedrock:ApplyGuardrail on resource: .*:1/);
    const both = t.runtime('us-east-1', await userWith('both', ['bedrock:InvokeModel', 'bedrock:ApplyGuardrail']));
    assert.equal((await both.send(new ConverseCommand({ modelId: MODEL, messages: userSays('hi') }))).stopReason, 'end_turn');
    assert.equal(upstreamCalls(), before + 1, 'only the permitted call reached the model');
  });

  it('an embedding model under enforcement is refused, naming the fix', async () => {
    await rejects(
      rt.send(new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', contentType: 'application/json', body: JSON.stringify({ inputText: 'hi' }) })),
      'ValidationException',
      /embedding model.*Exclude embedding models/,
    );
  });

  it('COMPREHENSIVE reads everything the model reads: guardContent marked as a grounding query, and JSON tool results', async () => {
    const before = upstreamCalls();
    const q = await rt.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ guardContent: { text: { text: 'Tell me about Project Nightingale', qualifiers: ['query'] } } }] }],
      }),
    );
    assert.equal(q.stopReason, 'guardrail_intervened');
    assert.equal(upstreamCalls(), before, 'a grounding-qualified block does not skip the enforced guardrail');
    upstream.setReply(() => ({ text: 'Done.' }));
    const r = await rt.send(
      new ConverseCommand({
        modelId: MODEL,
        toolConfig: { tools: [{ toolSpec: { name: 'crm', inputSchema: { json: { type: 'object' } } } }] },
        messages: [
          { role: 'user', content: [{ text: 'Look up the customer.' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'crm', input: {} } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { customer: { email: 'kim@example.com' } } }] } }] },
        ],
      }),
    );
    assert.equal(r.stopReason, 'end_turn');
    assert.match(lastPrompt(), /\{EMAIL\}/);
    assert.doesNotMatch(lastPrompt(), /kim@example\.com/, 'the e-mail inside the JSON tool result was masked before the model');
  });

  it('metrics never take a made-up model id as a label', async () => {
    await rejects(rt.send(new ConverseCommand({ modelId: 'made.up-model-xyz', messages: userSays('hi') })), 'ValidationException');
    const text = await (await fetch(`${t.server.url}/metrics`)).text();
    assert.doesNotMatch(text, /made\.up-model-xyz/);
    assert.match(text, /parapet_invocations_total\{operation="Converse",model="unrouted"/);
  });

  it('Converse requests Bedrock refuses are refused the same way', async () => {
    await rejects(rt.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [] }] })), 'ValidationException', /messages\.0 is empty/);
    await rejects(
      rt.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] })),
      'ValidationException',
      /must start with a user message/,
    );
    await rejects(
      rt.send(
        new ConverseCommand({
          modelId: MODEL,
          messages: userSays('hi'),
          toolConfig: { tools: [{ toolSpec: { name: 'a', inputSchema: { json: {} } } }], toolChoice: { tool: { name: 'b' } } },
        }),
      ),
      'ValidationException',
      /does not define/,
    );
  });

  it('a model the gateway does not serve is a ValidationException, never a silent fallback to the demo model', async () => {
    await rejects(
      rt.send(new ConverseCommand({ modelId: 'anthropic.claude-v2', messages: userSays('hi') })),
      'ValidationException',
      /not served by this gateway.*models file/,
    );
  });

  it('audit: one record per invocation and per guardrail application, without the matched text; the chain verifies', async () => {
    const res = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { account: member, limit: '200' } });
    assert.equal(res.status, 200);
    const { records } = res.body as unknown as { records: Array<{ action: string; outcome: string; detail: Record<string, unknown> }> };
    const converse = records.filter((r) => r.action === 'bedrock:Converse');
    assert.ok(converse.length >= 5);
    const blockedInvocation = converse.find((r) => r.outcome === 'INTERVENED' && r.detail.intervenedOn === 'INPUT' && r.detail.modelCalled === false);
    assert.ok(blockedInvocation, 'the blocked invocation is recorded');
    const applications = records.filter((r) => r.action === 'bedrock:ApplyGuardrail' && r.detail.operation === 'Converse');
    assert.ok(applications.some((r) => r.detail.source === 'INPUT' && r.detail.action === 'BLOCKED'));
    assert.ok(applications.some((r) => r.detail.source === 'OUTPUT' && r.detail.action === 'ANONYMIZED'));
    const all = JSON.stringify(records);
    assert.doesNotMatch(all, /jane\.doe@example\.com|123-45-6789/, 'matched text stays out of the trail');
    assert.match(all, /"guardrail":"arn:aws:bedrock:us-east-1:\d{12}:guardrail\/[a-z0-9]+:1"/);
    const denied = records.find((r) => r.action === 'bedrock:Converse' && r.outcome === 'AccessDeniedException');
    assert.ok(denied, 'refused calls are recorded too');
    // The guardrail's own history is in the trail too.
    const mgmt = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { account: t.accountId, resource: guardrailArn } });
    const history = (mgmt.body as unknown as { records: Array<{ action: string }> }).records.map((r) => r.action);
    assert.ok(history.includes('bedrock:CreateGuardrail'), `history: ${history.join(', ')}`);
    const versions = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { account: t.accountId, action: 'bedrock:CreateGuardrailVersion' } });
    assert.equal((versions.body as unknown as { records: Array<{ resourceArn: string }> }).records[0]?.resourceArn, `${guardrailArn}:1`);
    const v = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit/verify' });
    assert.equal(v.body.ok, true);
  });

  it('metrics: Prometheus text named after the CloudWatch metrics', async () => {
    const text = await (await fetch(`${t.server.url}/metrics`)).text();
    assert.match(text, new RegExp(`parapet_invocations_total\\{operation="Converse",model="${MODEL.replaceAll('.', '\\.')}",account="${member}"\\} \\d+`));
    assert.match(text, /parapet_invocations_intervened_total\{operation="Converse"/);
    assert.match(text, /parapet_text_unit_count_total\{operation="Converse",guardrail="arn:aws:bedrock:us-east-1:\d+:guardrail\/[a-z0-9]+:1",policy_type="word"/);
    assert.match(text, /parapet_guardrail_invocations_intervened_total\{[^}]*policy_type="sensitive_information"/);
    assert.match(text, /parapet_invocation_client_errors_total\{operation="Converse"/);
  });
});

describe('invocation gateway: quotas', () => {
  it('a burst past the account request quota gets ThrottlingException', async () => {
    const t = await startTestServer({ quotas: { requestsPerSecond: 2 } });
    try {
      const rt = t.runtime();
      const call = () => rt.send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: userSays('hi') }));
      // Sent together: the first answer may wait for its audit record (a cold audit worker), and a sequential
      // burst would then see the bucket refill.
      const [first, second, third] = [call(), call(), call()];
      await first;
      await second;
      await rejects(third, 'ThrottlingException', /2 model calls per second/);
    } finally {
      await t.stop();
    }
  });
});
