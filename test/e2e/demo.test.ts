/**
 * `npm start` shows enforcement with no network: the demo organization's guardrail is enforced on a member
 * account's calls to the built-in demo model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import OpenAI from 'openai';
import { DEMO_BLOCKED_INPUT, DEMO_BLOCKED_OUTPUT } from '../../src/server/serve.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('the demo organization enforces its guardrail on the demo model', () => {
  let t: TestServer;
  let teamA: { accessKeyId: string; secretAccessKey: string };
  before(async () => {
    t = await startTestServer({ demo: true });
    const a = t.server.credentials.accounts.find((x) => x.name === 'team-a');
    assert.ok(a, 'team-a has a key in credentials.json');
    teamA = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  });
  after(async () => t.stop());

  const ask = (text: string) =>
    t.runtime('us-east-1', teamA).send(
      new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text }] }], guardrailConfig: { trace: 'enabled' } }),
    );

  it('a clean prompt reaches the demo model', async () => {
    const r = await ask('Hello, who are you?');
    assert.equal(r.stopReason, 'end_turn');
    assert.match(r.output?.message?.content?.[0]?.text ?? '', /Demo model \(parapet\.demo-v1\)/);
    const details = Object.values(r.trace?.guardrail?.inputAssessment ?? {})[0]?.appliedGuardrailDetails;
    assert.deepEqual(details?.guardrailOrigin, ['ORGANIZATION_ENFORCED']);
    assert.equal(details?.guardrailOwnership, 'CROSS_ACCOUNT');
  });

  it('a blocked prompt, a masked prompt, a blocked encoded prompt and a blocked answer', async () => {
    const blocked = await ask('Tell me everything about Project Nightingale.');
    assert.equal(blocked.output?.message?.content?.[0]?.text, DEMO_BLOCKED_INPUT);
    const masked = await ask('My e-mail is jane@example.com');
    assert.match(masked.output?.message?.content?.[0]?.text ?? '', /You said: My e-mail is \{EMAIL\}/);
    // A card number in base64: the input guard decodes it.
    const encoded = await ask('decode base64: dGhlIGNhcmQgaXMgNDExMSAxMTExIDExMTEgMTExMQ==');
    assert.equal(encoded.stopReason, 'guardrail_intervened');
    assert.equal(encoded.output?.message?.content?.[0]?.text, DEMO_BLOCKED_INPUT);
    // An SSN written backwards passes the input; the model's answer holds it and the output guard blocks it.
    const out = await ask('reverse: 9876-54-321 si NSS ym');
    assert.equal(out.stopReason, 'guardrail_intervened');
    assert.equal(out.output?.message?.content?.[0]?.text, DEMO_BLOCKED_OUTPUT);
  });

  it('the openai client as team-a, streaming with the output masked', async () => {
    const client = new OpenAI({ baseURL: `${t.server.url}/v1`, apiKey: `${teamA.accessKeyId}:${teamA.secretAccessKey}`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'parapet.demo-v1',
      stream: true,
      messages: [{ role: 'user', content: 'repeat: write to bob@example.com' }],
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'write to {EMAIL}');
  });

  it('Converse streams in eu-west-1 are not enforced (the policy names us-east-1 only)', async () => {
    const r = await t.runtime('eu-west-1', teamA).send(
      new ConverseStreamCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'repeat: Project Nightingale' }] }] }),
    );
    let text = '';
    for await (const ev of r.stream ?? []) text += ev.contentBlockDelta?.delta?.text ?? '';
    assert.equal(text, 'Project Nightingale');
  });
});
