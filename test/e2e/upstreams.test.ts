/**
 * Guarded model calls in front of real (local) upstreams, through the official bedrock-runtime client:
 * - Amazon Bedrock: a second Parapet server plays "real Bedrock" (it serves parapet.demo-v1 natively), reached by
 *   the first server's Bedrock provider with the default AWS credential chain (the second server's key in the
 *   environment). Converse, ConverseStream, InvokeModel (native pass-through) and InvokeModelWithResponseStream.
 * - Anthropic: the fake Anthropic Messages API. Converse and ConverseStream with a request guardrail, tool use
 *   passing through, and tool results guarded by an enforced (comprehensive) guardrail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type BedrockRuntimeClient,
  type ContentBlock,
  ConverseCommand,
  type ConverseStreamOutput,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import {
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
  DeleteEnforcedGuardrailConfigurationCommand,
  PutEnforcedGuardrailConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { type FakeAnthropic, startFakeAnthropic } from '../helpers/fake-anthropic-upstream.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const BLOCKED_IN = 'Blocked by policy (input).';
const BLOCKED_OUT = 'Blocked by policy (output).';
const TAG = (s: string) => `<amazon-bedrock-guardrails-guardContent_xyz>${s}</amazon-bedrock-guardrails-guardContent_xyz>`;

/** A guardrail in `t`'s management account that masks e-mail addresses and blocks a code name; version 1. */
async function createGuardrail(t: TestServer): Promise<string> {
  const g = await t.bedrock().send(
    new CreateGuardrailCommand({
      name: 'upstream-guard',
      blockedInputMessaging: BLOCKED_IN,
      blockedOutputsMessaging: BLOCKED_OUT,
      wordPolicyConfig: { wordsConfig: [{ text: 'project nightingale' }] },
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
    }),
  );
  await t.bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
  return g.guardrailId ?? '';
}

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined) {
  let text = '';
  let stopReason: string | undefined;
  const kinds: string[] = [];
  const toolInput: string[] = [];
  let toolStart: { toolUseId?: string; name?: string } | undefined;
  for await (const ev of stream ?? []) {
    kinds.push(Object.entries(ev).find(([, v]) => v !== undefined)?.[0] ?? '');
    const d = ev.contentBlockDelta?.delta;
    if (d?.text !== undefined) text += d.text;
    if (d?.toolUse?.input !== undefined) toolInput.push(d.toolUse.input);
    if (ev.contentBlockStart?.start?.toolUse) toolStart = ev.contentBlockStart.start.toolUse;
    if (ev.messageStop) stopReason = ev.messageStop.stopReason;
  }
  return { text, stopReason, kinds, toolStart, toolInput: toolInput.join('') };
}

const json = (bytes: Uint8Array | undefined): Record<string, unknown> => JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8'));
const anthropicBody = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, messages: [{ role: 'user', content }], ...extra });

describe('Amazon Bedrock upstream (a second Parapet as the real Bedrock)', () => {
  let real: TestServer;
  let t: TestServer;
  let rt: BedrockRuntimeClient;
  let guardrailId: string;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

  before(async () => {
    // The upstream keeps prompts in its audit trail, so the tests can see what Bedrock was sent.
    real = await startTestServer({ gateway: { logContent: true } });
    // The Bedrock provider signs with the default credential chain: the environment, read at its first call.
    for (const k of ENV) saved[k] = process.env[k];
    process.env.AWS_ACCESS_KEY_ID = real.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = real.credentials.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    t = await startTestServer({
      models: {
        providers: { 'upstream-bedrock': { type: 'bedrock', endpoint: real.server.url, region: 'us-east-1' } },
        models: { [MODEL]: { provider: 'upstream-bedrock', model: 'parapet.demo-v1' } },
      },
    });
    guardrailId = await createGuardrail(t);
    rt = t.runtime();
  });
  after(async () => {
    await t.stop();
    await real.stop();
    for (const k of ENV) {
      const v = saved[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const guardrailConfig = () => ({ guardrailIdentifier: guardrailId, guardrailVersion: '1' });

  it('Converse: the prompt reaches Bedrock masked, and the answer comes back', async () => {
    const r = await rt.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'write to jane.doe@example.com' }] }],
        guardrailConfig: { ...guardrailConfig(), trace: 'enabled' },
      }),
    );
    assert.equal(r.output?.message?.content?.[0]?.text, 'Demo model (parapet.demo-v1) here. You said: write to {EMAIL}');
    assert.equal(r.stopReason, 'end_turn');
    assert.ok(r.trace?.guardrail?.inputAssessment?.[guardrailId]?.sensitiveInformationPolicy);
    assert.ok((r.usage?.inputTokens ?? 0) > 0, 'the upstream usage is passed on');
  });

  it('Converse: Bedrock answering with an e-mail address gets it masked; a blocked answer is replaced', async () => {
    // Only the guardContent block is guarded on input, so the address reaches the model, which repeats it.
    const ask = (text: string) =>
      rt.send(
        new ConverseCommand({
          modelId: MODEL,
          messages: [{ role: 'user', content: [{ guardContent: { text: { text: 'please' } } }, { text }] }],
          guardrailConfig: { ...guardrailConfig(), trace: 'enabled' },
        }),
      );
    const masked = await ask('repeat: mail bob@example.com today');
    assert.equal(masked.output?.message?.content?.[0]?.text, 'mail {EMAIL} today');
    assert.deepEqual(masked.trace?.guardrail?.modelOutput, ['mail bob@example.com today']);
    const blocked = await ask('repeat: project nightingale is late');
    assert.equal(blocked.stopReason, 'guardrail_intervened');
    assert.equal(blocked.output?.message?.content?.[0]?.text, BLOCKED_OUT);
  });

  it('ConverseStream: a blocked input never reaches Bedrock; a masked stream through it', async () => {
    // First ConverseStream of this suite: the upstream has recorded none yet, and must still record none.
    const b = await rt.send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'news on Project Nightingale?' }] }],
        guardrailConfig: guardrailConfig(),
      }),
    );
    const bs = await collect(b.stream);
    assert.equal(bs.text, BLOCKED_IN);
    assert.equal(bs.stopReason, 'guardrail_intervened');
    assert.equal(await upstreamCalls('bedrock:ConverseStream'), 0, 'the upstream was not called');

    const r = await rt.send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ guardContent: { text: { text: 'please' } } }, { text: 'repeat: reach carol@example.com or me' }] }],
        guardrailConfig: guardrailConfig(),
      }),
    );
    const s = await collect(r.stream);
    assert.equal(s.text, 'reach {EMAIL} or me');
    assert.equal(s.stopReason, 'end_turn');
    assert.equal(s.kinds[0], 'messageStart');
    assert.equal(s.kinds.at(-1), 'metadata');
  });

  it('Converse and ConverseStream: a tool call of the upstream model comes back as a toolUse block', async () => {
    const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: {} } } } }] };
    const messages: Message[] = [{ role: 'user', content: [{ text: 'please call tool get_weather' }] }];
    const r = await rt.send(new ConverseCommand({ modelId: MODEL, messages, toolConfig, guardrailConfig: guardrailConfig() }));
    assert.equal(r.stopReason, 'tool_use');
    assert.deepEqual(r.output?.message?.content, [{ toolUse: { toolUseId: 'tooluse_demo_1', name: 'get_weather', input: {} } }]);
    const st = await rt.send(new ConverseStreamCommand({ modelId: MODEL, messages, toolConfig, guardrailConfig: guardrailConfig() }));
    const s = await collect(st.stream);
    assert.deepEqual(s.toolStart, { toolUseId: 'tooluse_demo_1', name: 'get_weather' });
    assert.equal(s.stopReason, 'tool_use');
  });

  it('InvokeModel: the Anthropic body goes through natively, masked, with the tags and the guardrail config removed', async () => {
    const r = await rt.send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: 'application/json',
        guardrailIdentifier: guardrailId,
        guardrailVersion: '1',
        trace: 'ENABLED',
        body: anthropicBody(`Summarise: ${TAG('write to jane.doe@example.com')}`, { 'amazon-bedrock-guardrailConfig': { tagSuffix: 'xyz' } }),
      }),
    );
    const body = json(r.body);
    const content = body.content as Array<{ type: string; text: string }>;
    // The demo model echoes what it got: masked, without the tags (and the upstream refused no guardrail config).
    assert.equal(content[0]?.text, 'Demo model (parapet.demo-v1) here. You said: Summarise: write to {EMAIL}');
    assert.equal(body.type, 'message');
    assert.equal(body.role, 'assistant');
    assert.equal(body['amazon-bedrock-guardrailAction'], 'INTERVENED');
    const trace = body['amazon-bedrock-trace'] as { guardrail: { input: Record<string, unknown> } };
    assert.ok(trace.guardrail.input[guardrailId]);
  });

  it('InvokeModel: the upstream OUTPUT e-mail is masked in the native body, other native fields kept', async () => {
    const r = await rt.send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: 'application/json',
        guardrailIdentifier: guardrailId,
        guardrailVersion: '1',
        body: anthropicBody(`${TAG('please')} repeat: reach bob@example.com now`, { 'amazon-bedrock-guardrailConfig': { tagSuffix: 'xyz' } }),
      }),
    );
    const body = json(r.body);
    assert.deepEqual(body.content, [{ type: 'text', text: 'reach {EMAIL} now' }]);
    assert.equal(body.stop_reason, 'end_turn');
    assert.ok(body.usage, 'the native usage of the upstream is kept');
    assert.equal(body['amazon-bedrock-guardrailAction'], 'INTERVENED');
  });

  it('InvokeModel without any guardrail: the native answer passes through untouched', async () => {
    const r = await rt.send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody('repeat: x@example.com') }));
    const body = json(r.body);
    assert.deepEqual(body.content, [{ type: 'text', text: 'x@example.com' }]);
    assert.equal(body['amazon-bedrock-guardrailAction'], undefined);
  });

  it('InvokeModelWithResponseStream: native chunks from Bedrock, the upstream e-mail masked, the action on the last chunk', async () => {
    const r = await rt.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        contentType: 'application/json',
        guardrailIdentifier: guardrailId,
        guardrailVersion: '1',
        body: anthropicBody(`${TAG('please')} repeat: reach erin@example.com today`, { 'amazon-bedrock-guardrailConfig': { tagSuffix: 'xyz' } }),
      }),
    );
    const chunks: Array<Record<string, unknown>> = [];
    for await (const ev of r.body ?? []) if (ev.chunk?.bytes) chunks.push(json(ev.chunk.bytes));
    const text = chunks
      .filter((c) => c.type === 'content_block_delta')
      .map((c) => (c.delta as { text: string }).text)
      .join('');
    assert.equal(text, 'reach {EMAIL} today');
    assert.equal(chunks[0]?.type, 'message_start');
    assert.equal(chunks.at(-1)?.type, 'message_stop');
    assert.equal(chunks.at(-1)?.['amazon-bedrock-guardrailAction'], 'INTERVENED');
    assert.doesNotMatch(JSON.stringify(chunks), /erin@example\.com/);
  });

  it('InvokeModelWithResponseStream: an upstream answer that is blocked ends with the blocked message', async () => {
    const r = await rt.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        contentType: 'application/json',
        guardrailIdentifier: guardrailId,
        guardrailVersion: '1',
        body: anthropicBody(`${TAG('please')} repeat: project nightingale ships`, { 'amazon-bedrock-guardrailConfig': { tagSuffix: 'xyz' } }),
      }),
    );
    const chunks: Array<Record<string, unknown>> = [];
    for await (const ev of r.body ?? []) if (ev.chunk?.bytes) chunks.push(json(ev.chunk.bytes));
    const text = chunks
      .filter((c) => c.type === 'content_block_delta')
      .map((c) => (c.delta as { text: string }).text)
      .join('');
    assert.equal(text, BLOCKED_OUT);
    assert.equal(chunks.at(-1)?.['amazon-bedrock-guardrailAction'], 'INTERVENED');
  });

  it('InvokeModel without tags: a requested guardrail masks the system prompt too before it is forwarded', async () => {
    const r = await rt.send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: 'application/json',
        guardrailIdentifier: guardrailId,
        guardrailVersion: '1',
        body: anthropicBody('hello', { system: 'Escalate to admin@example.com.', temperature: 0.2 }),
      }),
    );
    assert.equal(json(r.body)['amazon-bedrock-guardrailAction'], 'INTERVENED');
    // The audit trail lists the newest record first.
    const sent = (await upstreamOps()).find((x) => x.action === 'bedrock:InvokeModel')?.detail.content as { input?: Record<string, unknown> };
    assert.equal(sent.input?.system, 'Escalate to {EMAIL}.');
    assert.equal(sent.input?.temperature, 0.2, 'other native fields are forwarded as they were');
    assert.equal(sent.input?.['amazon-bedrock-guardrailConfig'], undefined);
  });

  const toolBody = () =>
    anthropicBody('please call tool get_weather', {
      tools: [{ name: 'get_weather', description: 'Weather.', input_schema: { type: 'object', properties: {} } }],
    });

  it('InvokeModel with a guardrail: the upstream tool_use block passes through the native body', async () => {
    const r = await rt.send(
      new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', guardrailIdentifier: guardrailId, guardrailVersion: '1', body: toolBody() }),
    );
    const body = json(r.body);
    assert.equal(body.stop_reason, 'tool_use');
    assert.deepEqual(body.content, [{ type: 'tool_use', id: 'tooluse_demo_1', name: 'get_weather', input: {} }]);
  });

  it(
    'InvokeModelWithResponseStream with a guardrail: the upstream tool_use block passes through the native stream',

    async () => {
      const r = await rt.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: MODEL,
          contentType: 'application/json',
          guardrailIdentifier: guardrailId,
          guardrailVersion: '1',
          body: toolBody(),
        }),
      );
      const chunks: Array<Record<string, unknown>> = [];
      for await (const ev of r.body ?? []) if (ev.chunk?.bytes) chunks.push(json(ev.chunk.bytes));
      const start = chunks.find((c) => c.type === 'content_block_start' && (c.content_block as { type?: string })?.type === 'tool_use');
      assert.deepEqual((start?.content_block as { name?: string } | undefined)?.name, 'get_weather', JSON.stringify(chunks));
      const stop = chunks.find((c) => c.type === 'message_delta');
      assert.equal((stop?.delta as { stop_reason?: string } | undefined)?.stop_reason, 'tool_use');
    },
  );

  it(
    'InvokeModelWithResponseStream with a guardrail: the upstream token usage is reported',

    async () => {
      const r = await rt.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: MODEL,
          contentType: 'application/json',
          guardrailIdentifier: guardrailId,
          guardrailVersion: '1',
          body: anthropicBody('repeat: four words right here'),
        }),
      );
      const chunks: Array<Record<string, unknown>> = [];
      for await (const ev of r.body ?? []) if (ev.chunk?.bytes) chunks.push(json(ev.chunk.bytes));
      const metrics = chunks.at(-1)?.['amazon-bedrock-invocationMetrics'] as { outputTokenCount?: number } | undefined;
      const delta = chunks.find((c) => c.type === 'message_delta') as { usage?: { output_tokens?: number } } | undefined;
      assert.equal(delta?.usage?.output_tokens ?? metrics?.outputTokenCount, 4, JSON.stringify(chunks));
    },
  );

  it('the calls really reached the second server, as the demo model, under its own account', async () => {
    // Unguarded, the native stream passes through to the upstream's own InvokeModelWithResponseStream (guarded
    // streams are read as ConverseStream, so tool use and usage survive the guard).
    const plain = await rt.send(
      new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody('repeat: as is') }),
    );
    for await (const _ of plain.body ?? []) void _;
    const ops = await upstreamOps();
    for (const op of ['bedrock:Converse', 'bedrock:ConverseStream', 'bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'])
      assert.ok(ops.some((r) => r.action === op && r.detail.model === 'parapet.demo-v1' && r.accountId === real.accountId), `${op} reached the upstream`);
  });

  async function upstreamOps() {
    const res = await signedFetch(real.server.url, real.credentials, { path: '/admin/v1/audit', query: { limit: '500' } });
    assert.equal(res.status, 200);
    return (res.body as unknown as { records: Array<{ action: string; accountId: string; detail: Record<string, unknown> }> }).records;
  }
  async function upstreamCalls(action: string) {
    return (await upstreamOps()).filter((r) => r.action === action).length;
  }
});

describe('Anthropic upstream (fake Messages API)', () => {
  let anthropic: FakeAnthropic;
  let t: TestServer;
  let rt: BedrockRuntimeClient;
  let guardrailId: string;
  let savedKey: string | undefined;

  before(async () => {
    anthropic = await startFakeAnthropic();
    savedKey = process.env.FAKE_ANTHROPIC_KEY;
    process.env.FAKE_ANTHROPIC_KEY = 'sk-ant-fake-key';
    t = await startTestServer({
      models: {
        providers: { claude: { type: 'anthropic', baseUrl: anthropic.url, apiKeyEnv: 'FAKE_ANTHROPIC_KEY' } },
        models: { [MODEL]: { provider: 'claude', model: 'claude-3-haiku-fake' } },
      },
    });
    guardrailId = await createGuardrail(t);
    rt = t.runtime();
  });
  after(async () => {
    await t.stop();
    await anthropic.close();
    if (savedKey === undefined) delete process.env.FAKE_ANTHROPIC_KEY;
    else process.env.FAKE_ANTHROPIC_KEY = savedKey;
  });

  const guardrailConfig = () => ({ guardrailIdentifier: guardrailId, guardrailVersion: '1' });
  const last = () => anthropic.requests.at(-1);
  const lastMessages = () => JSON.stringify(last()?.body.messages ?? []);

  const weatherTool = {
    toolSpec: {
      name: 'get_weather',
      description: 'Current weather in a city.',
      inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    },
  };

  it('Converse: masked prompt upstream (with the API key), masked answer back', async () => {
    anthropic.setReply(() => ({ text: 'Sure, mail dave@example.com.' }));
    const r = await rt.send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ text: 'Write to jane.doe@example.com' }] }],
        guardrailConfig: guardrailConfig(),
      }),
    );
    assert.equal(r.output?.message?.content?.[0]?.text, 'Sure, mail {EMAIL}.');
    assert.equal(r.stopReason, 'end_turn');
    assert.equal(last()?.headers['x-api-key'], 'sk-ant-fake-key');
    assert.equal(last()?.body.model, 'claude-3-haiku-fake');
    assert.equal(last()?.body.system, 'Be brief.');
    assert.match(lastMessages(), /Write to \{EMAIL\}/);
    assert.doesNotMatch(lastMessages(), /jane\.doe/);
  });

  it('Converse: blocked input never reaches Anthropic', async () => {
    const before = anthropic.requests.length;
    const r = await rt.send(
      new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Project Nightingale?' }] }], guardrailConfig: guardrailConfig() }),
    );
    assert.equal(r.stopReason, 'guardrail_intervened');
    assert.equal(r.output?.message?.content?.[0]?.text, BLOCKED_IN);
    assert.equal(anthropic.requests.length, before);
  });

  it('ConverseStream: the SSE answer is masked (sync) and a blocked answer ends with guardrail_intervened', async () => {
    anthropic.setReply(() => ({ text: 'Your contact is erin@example.com and the room is 4B.' }));
    const r = await rt.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'contact?' }] }], guardrailConfig: guardrailConfig() }),
    );
    const s = await collect(r.stream);
    assert.equal(s.text, 'Your contact is {EMAIL} and the room is 4B.');
    assert.equal(s.stopReason, 'end_turn');
    assert.equal(last()?.body.stream, true);

    anthropic.setReply(() => ({ text: 'Project Nightingale ships in May.' }));
    const b = await rt.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'news?' }] }], guardrailConfig: guardrailConfig() }),
    );
    const bs = await collect(b.stream);
    assert.equal(bs.text, BLOCKED_OUT);
    assert.equal(bs.stopReason, 'guardrail_intervened');
  });

  it('tool use passes through: the toolSpec reaches Anthropic, its tool_use comes back as a toolUse block', async () => {
    anthropic.setReply(() => ({ toolUse: { id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } } }));
    const r = await rt.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'Weather in Paris?' }] }],
        toolConfig: { tools: [weatherTool], toolChoice: { auto: {} } },
        guardrailConfig: guardrailConfig(),
      }),
    );
    assert.deepEqual(last()?.body.tools, [
      {
        name: 'get_weather',
        description: 'Current weather in a city.',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ]);
    assert.deepEqual(last()?.body.tool_choice, { type: 'auto' });
    assert.equal(r.stopReason, 'tool_use');
    assert.deepEqual(r.output?.message?.content, [{ toolUse: { toolUseId: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } } }]);
  });

  it('tool use passes through a guarded stream: toolUse start, input deltas, stopReason tool_use', async () => {
    anthropic.setReply(() => ({ text: 'Checking.', toolUse: { id: 'toolu_02', name: 'get_weather', input: { city: 'Oslo' } } }));
    const r = await rt.send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'Weather in Oslo?' }] }],
        toolConfig: { tools: [weatherTool] },
        guardrailConfig: guardrailConfig(),
      }),
    );
    const s = await collect(r.stream);
    assert.equal(s.text, 'Checking.');
    assert.deepEqual(s.toolStart, { toolUseId: 'toolu_02', name: 'get_weather' });
    assert.deepEqual(JSON.parse(s.toolInput), { city: 'Oslo' });
    assert.equal(s.stopReason, 'tool_use');
    // The text block is settled before the tool block starts.
    assert.ok(s.kinds.lastIndexOf('contentBlockDelta') > s.kinds.indexOf('contentBlockStart'));
    assert.ok(s.kinds.indexOf('contentBlockStart') > s.kinds.indexOf('contentBlockStop'));
  });

  const toolTurn = (result: string): Message[] => [
    { role: 'user', content: [{ text: 'Who manages Paris?' }] },
    { role: 'assistant', content: [{ toolUse: { toolUseId: 'toolu_03', name: 'get_weather', input: { city: 'Paris' } } }] },
    { role: 'user', content: [{ toolResult: { toolUseId: 'toolu_03', content: [{ text: result }] } } as ContentBlock] },
  ];
  const toolResultSent = () => {
    const messages = (last()?.body.messages ?? []) as Array<{ content: Array<{ type: string; content?: Array<{ text: string }> }> }>;
    return messages.at(-1)?.content.find((b) => b.type === 'tool_result')?.content?.[0]?.text;
  };

  it('a requested guardrail does not guard tool results (Bedrock does not evaluate them)', async () => {
    anthropic.setReply(() => ({ text: 'Noted.' }));
    const r = await rt.send(
      new ConverseCommand({ modelId: MODEL, messages: toolTurn('Manager: frank@example.com'), toolConfig: { tools: [weatherTool] }, guardrailConfig: guardrailConfig() }),
    );
    assert.equal(r.stopReason, 'end_turn');
    assert.equal(toolResultSent(), 'Manager: frank@example.com');
  });

  it('an enforced COMPREHENSIVE guardrail guards the text of tool results: masked, or blocked before the model', async () => {
    const put = await t.bedrock().send(
      new PutEnforcedGuardrailConfigurationCommand({
        guardrailInferenceConfig: {
          guardrailIdentifier: guardrailId,
          guardrailVersion: '1',
          selectiveContentGuarding: { system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE' },
        },
      }),
    );
    try {
      anthropic.setReply(() => ({ text: 'Noted.' }));
      const masked = await rt.send(
        new ConverseCommand({ modelId: MODEL, messages: toolTurn('Manager: frank@example.com'), toolConfig: { tools: [weatherTool] }, guardrailConfig: { trace: 'enabled' } }),
      );
      assert.equal(masked.stopReason, 'end_turn');
      assert.equal(toolResultSent(), 'Manager: {EMAIL}');
      const assessment = masked.trace?.guardrail?.inputAssessment?.[guardrailId];
      assert.deepEqual(assessment?.appliedGuardrailDetails?.guardrailOrigin, ['ACCOUNT_ENFORCED']);

      const before = anthropic.requests.length;
      const blocked = await rt.send(
        new ConverseCommand({ modelId: MODEL, messages: toolTurn('Codename: Project Nightingale'), toolConfig: { tools: [weatherTool] } }),
      );
      assert.equal(blocked.stopReason, 'guardrail_intervened');
      assert.equal(blocked.output?.message?.content?.[0]?.text, BLOCKED_IN);
      assert.equal(anthropic.requests.length, before, 'the model was not called');
    } finally {
      await t.bedrock().send(new DeleteEnforcedGuardrailConfigurationCommand({ configId: put.configId }));
    }
  });
});
